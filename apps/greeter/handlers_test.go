package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microbox/workspace/libs/go/service"
)

func newTestApp(t *testing.T, content string) (*app, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "greeter.json")
	if content != "" {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a := &app{cfg: service.Watch(path, parseConfig), instance: "c0ffee"}
	a.cfg.Load()
	return a, path
}

func do(t *testing.T, a *app, method, target string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	a.routes().ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec.Code, rec.Body.String()
}

func TestGreet(t *testing.T) {
	a, _ := newTestApp(t, `{"greeting":"Hello"}`)
	for target, want := range map[string]string{
		"/greet?name=Ada":           "Hello, Ada!",
		"/greet":                    "Hello, world!",
		"/greet?name=%22Bob%22+%3C": `Hello, "Bob" <!`,
	} {
		code, body := do(t, a, http.MethodGet, target)
		var got map[string]string
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("%s: body %q is not JSON: %v", target, body, err)
		}
		if code != http.StatusOK || got["greeting"] != want || got["instance"] != "c0ffee" {
			t.Errorf("%s: %d %v, want 200 greeting %q instance c0ffee", target, code, got, want)
		}
	}
}

func TestGreetFollowsReload(t *testing.T) {
	a, path := newTestApp(t, `{"greeting":"Hello"}`)
	os.WriteFile(path, []byte(`{"greeting":"Bonjour"}`), 0o644)
	if err := a.cfg.Load(); err != nil {
		t.Fatal(err)
	}
	if _, body := do(t, a, http.MethodGet, "/greet?name=Ada"); !strings.Contains(body, `"Bonjour, Ada!"`) {
		t.Errorf("after reload: %s", body)
	}
}

func TestGreetBeforeConfig(t *testing.T) {
	a, _ := newTestApp(t, "")
	code, body := do(t, a, http.MethodGet, "/greet?name=Ada")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "config not loaded yet") {
		t.Errorf("got %d %s, want 503 saying the config is not loaded", code, body)
	}
	if code, _ := do(t, a, http.MethodGet, "/healthz"); code != http.StatusServiceUnavailable {
		t.Errorf("/healthz %d before config, want 503", code)
	}
}

func TestHealthSwitch(t *testing.T) {
	a, _ := newTestApp(t, `{"greeting":"Hello"}`)
	if code, _ := do(t, a, http.MethodGet, "/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz %d, want 200", code)
	}
	if code, body := do(t, a, http.MethodPost, "/admin/health?fail=true"); code != http.StatusOK || strings.TrimSpace(body) != `{"failing":true}` {
		t.Fatalf("POST fail=true: %d %s", code, body)
	}
	code, body := do(t, a, http.MethodGet, "/healthz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "failing on purpose") {
		t.Errorf("/healthz while failing: %d %q, want 503 failing on purpose", code, body)
	}
	if code, _ := do(t, a, http.MethodGet, "/greet?name=Ada"); code != http.StatusOK {
		t.Errorf("/greet while failing: %d, want 200 (only health fails)", code)
	}
	do(t, a, http.MethodPost, "/admin/health?fail=false")
	if code, _ := do(t, a, http.MethodGet, "/healthz"); code != http.StatusOK {
		t.Errorf("/healthz after fail=false: %d, want 200", code)
	}
	if code, body := do(t, a, http.MethodPost, "/admin/health?fail=maybe"); code != http.StatusBadRequest || !strings.Contains(body, `fail=\"maybe\"`) {
		t.Errorf("POST fail=maybe: %d %s, want 400 naming the value", code, body)
	}
	if code, _ := do(t, a, http.MethodGet, "/admin/health?fail=true"); code != http.StatusMethodNotAllowed {
		t.Errorf("GET /admin/health: %d, want 405", code)
	}
}

func TestVersion(t *testing.T) {
	a, _ := newTestApp(t, "")
	code, body := do(t, a, http.MethodGet, "/version")
	var got map[string]string
	if err := json.Unmarshal([]byte(body), &got); err != nil || code != http.StatusOK || got["version"] != "dev" {
		t.Errorf("/version: %d %s %v, want 200 with the unstamped version dev", code, body, err)
	}
}
