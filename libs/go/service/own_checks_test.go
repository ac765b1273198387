package service

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestOwnChecksOnly(t *testing.T) {
	h := ownChecksOnly(Healthz(func() error { return nil }), "greeter-new-8080")
	for target, want := range map[string]int{
		"/healthz?service_id=greeter-new-8080": http.StatusOK,
		"/healthz":                             http.StatusOK,
		"/healthz?service_id=greeter-old-8080": http.StatusServiceUnavailable,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Code != want {
			t.Errorf("%s: %d %s, want %d", target, rec.Code, rec.Body, want)
		}
		if want != http.StatusOK && !strings.Contains(rec.Body.String(), "not greeter-old-8080: this is greeter-new-8080") {
			t.Errorf("%s: body %q should name both ids", target, rec.Body)
		}
	}
	// Other routes are the service's own, parameter or not.
	rec := httptest.NewRecorder()
	ownChecksOnly(http.NotFoundHandler(), "a").ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/greet?service_id=b", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("/greet?service_id=b: %d, want the handler's own 404", rec.Code)
	}
}

// The check Consul is given passes against the replica that registered it,
// and fails against any other at the same address: what Run serves.
func TestRegisteredCheckPassesOnlyOnItsOwnReplica(t *testing.T) {
	f := startRun(t, 5*time.Second)
	writeFile(t, f.path, `{"greeting":"Hello"}`)
	check := f.reg.Reg.Check.HTTP
	path := check[strings.Index(check, "/healthz"):]
	eventually(t, 2*time.Second, "the registered check passes", func() bool {
		code, _, _ := get(f.base + path)
		return code == http.StatusOK
	})
	other := NewRegistration("greeter", Env{Port: 18080, Address: "172.18.0.3", Hostname: "gone"})
	stale := other.Check.HTTP[strings.Index(other.Check.HTTP, "/healthz"):]
	if code, body, _ := get(f.base + stale); code != http.StatusServiceUnavailable {
		t.Errorf("a gone replica's check %s: %d %s, want 503", stale, code, body)
	}
	f.stop()
	f.exitCode(t)
}
