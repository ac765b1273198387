package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microbox/workspace/libs/go/service"
)

func get(a *app, target string) (int, string, http.Header) {
	rec := httptest.NewRecorder()
	a.routes().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec.Code, rec.Body.String(), rec.Header()
}

func TestBeforeTheListIsRendered(t *testing.T) {
	path := filepath.Join(t.TempDir(), "upstreams.json")
	a := &app{upstreams: service.Watch(path, parseUpstreams), proxy: newProxy(quietLog())}
	a.upstreams.Load()
	code, body, h := get(a, "/api/greet")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "config not loaded yet") || h.Get("Retry-After") != "1" {
		t.Errorf("/api/greet before the list: %d %s, want 503 config not loaded yet, Retry-After 1", code, body)
	}
	if code, _, _ := get(a, "/healthz"); code != http.StatusServiceUnavailable {
		t.Errorf("/healthz before the list: %d, want 503", code)
	}
}

// An empty list is the gateway working as it should: /healthz stays 200.
func TestHealthyWithNoUpstream(t *testing.T) {
	a, _ := gatewayWith(t)
	if code, body, _ := get(a, "/healthz"); code != http.StatusOK {
		t.Errorf("/healthz with an empty list: %d %s, want 200", code, body)
	}
}

func TestVersion(t *testing.T) {
	a, _ := gatewayWith(t)
	if code, body, _ := get(a, "/version"); code != http.StatusOK || !strings.Contains(body, `"version":"dev"`) {
		t.Errorf("/version: %d %s, want 200 with the unstamped version dev", code, body)
	}
}

func TestOnlyGET(t *testing.T) {
	a, _ := gatewayWith(t)
	rec := httptest.NewRecorder()
	a.routes().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/greet", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /api/greet: %d, want 405", rec.Code)
	}
}
