package service

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

func getHealthz(h http.Handler) (int, string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	return rec.Code, rec.Body.String()
}

func TestHealthzFollowsConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.json")
	c := Watch(path, parseTestConfig)
	h := Healthz(c.Ready)

	code, body := getHealthz(h)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "config not loaded yet") {
		t.Errorf("before load: %d %q, want 503 saying the config is not loaded", code, body)
	}
	c.Load()
	if code, body := getHealthz(h); code != http.StatusServiceUnavailable || !strings.Contains(body, "does not exist") {
		t.Errorf("file missing: %d %q, want 503 saying the file does not exist", code, body)
	}
	writeFile(t, path, `{"greeting":"Hello"}`)
	c.Load()
	if code, body := getHealthz(h); code != http.StatusOK || body != "ok\n" {
		t.Errorf("after load: %d %q, want 200 ok", code, body)
	}
}

func TestHealthzSaysWhy(t *testing.T) {
	code, body := getHealthz(Healthz(func() error { return errors.New("switched off\n") }))
	if code != http.StatusServiceUnavailable || body != "not ready: switched off\n" {
		t.Errorf("got %d %q, want 503 not ready: switched off", code, body)
	}
}
