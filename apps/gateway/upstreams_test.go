package main

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microbox/workspace/libs/go/service"
)

func TestParseUpstreams(t *testing.T) {
	ups, err := parseUpstreams([]byte(`{"upstreams": [
  {"id": "greeter-a-8080", "address": "172.18.0.3", "port": 8080},
  {"id": "greeter-b-8080", "address": "fd00::3", "port": 8080},
  {"id": "", "address": "greeter-c", "port": 9090}
]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"greeter-a-8080 at 172.18.0.3:8080", "greeter-b-8080 at [fd00::3]:8080", "greeter-c:9090 at greeter-c:9090"}
	if len(ups.List) != len(want) {
		t.Fatalf("got %d upstreams, want %d", len(ups.List), len(want))
	}
	for i, u := range ups.List {
		if u.String() != want[i] {
			t.Errorf("upstream %d = %q, want %q", i, u, want[i])
		}
	}
}

// What the template renders when no replica passes: valid, and empty.
func TestParseUpstreamsEmpty(t *testing.T) {
	ups, err := parseUpstreams([]byte("{\"upstreams\": [\n]}"))
	if err != nil || len(ups.List) != 0 {
		t.Errorf("parseUpstreams(empty list) = %+v, %v; want no upstreams and no error", ups, err)
	}
}

func TestParseUpstreamsRefusesBrokenFiles(t *testing.T) {
	for content, want := range map[string]string{
		`{}`:                            `"upstreams" is missing`,
		`{"upstreams": null}`:           `"upstreams" is missing`,
		`{"upstreams": [`:               "unexpected EOF",
		`{"upstreams": [], "extra": 1}`: `unknown field "extra"`,
		`{"upstreams": [{"id": "g", "address": " ", "port": 80}]}`:    `(id "g") has no address`,
		`{"upstreams": [{"id": "g", "address": "h", "port": 0}]}`:     `(id "g") has port 0`,
		`{"upstreams": [{"id": "g", "address": "h", "port": 70000}]}`: "has port 70000",
	} {
		if _, err := parseUpstreams([]byte(content)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseUpstreams(%s) = %v, want an error containing %q", content, err, want)
		}
	}
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Each good load tells onChange; a bad one keeps the last list and tells nothing.
func TestWatchedUpstreamsTellsOfEachLoadedList(t *testing.T) {
	path := filepath.Join(t.TempDir(), "upstreams.json")
	var seen []int
	w := watchedUpstreams{Config: service.Watch(path, parseUpstreams), onChange: func(u upstreams) { seen = append(seen, len(u.List)) }}
	writeFile(t, path, `{"upstreams": [{"id": "a", "address": "10.0.0.1", "port": 8080}]}`)
	if err := w.Load(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, `{"upstreams": [`)
	if err := w.Load(); err == nil {
		t.Fatal("a broken file loaded")
	}
	writeFile(t, path, `{"upstreams": []}`)
	if err := w.Load(); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[0] != 1 || seen[1] != 0 {
		t.Errorf("onChange saw lists of %v, want [1 0]", seen)
	}
}
