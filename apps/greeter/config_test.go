package main

import (
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	c, err := parseConfig([]byte(`{"greeting": " Hello "}`))
	if err != nil || c.Greeting != "Hello" {
		t.Errorf("parseConfig = %+v, %v; want Hello", c, err)
	}
	c, err = parseConfig([]byte(`{"greeting": "Say \"hi\""}`))
	if err != nil || c.Greeting != `Say "hi"` {
		t.Errorf("quotes: %+v, %v", c, err)
	}
	for _, bad := range []string{`{}`, `{"greeting":""}`, `{"greeting":"  "}`} {
		if _, err := parseConfig([]byte(bad)); err == nil || !strings.Contains(err.Error(), "greeter/greeting") {
			t.Errorf("parseConfig(%s) = %v, want an error naming the KV key", bad, err)
		}
	}
	if _, err := parseConfig([]byte(`{"greeting": Hello}`)); err == nil {
		t.Error("invalid JSON parsed")
	}
}
