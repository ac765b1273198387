package service

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/microbox/workspace/libs/go/buildinfo"
)

func TestWriteJSON(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteJSON(rec, http.StatusTeapot, map[string]string{"a": `say "hi"`})
	if rec.Code != http.StatusTeapot {
		t.Fatalf("status %d, want %d", rec.Code, http.StatusTeapot)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	if got, want := rec.Body.String(), "{\"a\":\"say \\\"hi\\\"\"}\n"; got != want {
		t.Fatalf("body %q, want %q", got, want)
	}
}

func TestVersion(t *testing.T) {
	rec := httptest.NewRecorder()
	Version(rec, httptest.NewRequest("GET", "/version", nil))
	var got map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got["version"] != buildinfo.Version || got["commit"] != buildinfo.Commit || got["commitTime"] != buildinfo.CommitTime {
		t.Fatalf("got %v", got)
	}
}
