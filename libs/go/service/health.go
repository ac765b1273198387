package service

import (
	"net/http"
	"strings"
)

// Healthz answers 200 "ok" when every check returns nil, and otherwise 503
// with the first failing check's error as a plain-text body, so that a
// human reading `curl /healthz` or Consul's check output sees why.
//
// Consul's HTTP check on /healthz and consul-template's `service` queries
// with passing checks only are what take an instance out of rotation.
func Healthz(checks ...func() error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		for _, check := range checks {
			if err := check(); err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
				w.Write([]byte("not ready: " + strings.TrimSpace(err.Error()) + "\n"))
				return
			}
		}
		w.Write([]byte("ok\n"))
	})
}
