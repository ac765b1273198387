package service

import (
	"net/http"
	"strings"
)

// Healthz answers 200 "ok" when ready returns nil, and otherwise 503 with
// its error as a plain-text body, so that a human reading `curl /healthz`
// or Consul's check output sees why. Pass the same ready to Options.Ready,
// which starts the Consul check in the same state.
//
// Consul's HTTP check on /healthz and consul-template's `service` queries
// with passing checks only are what take an instance out of rotation.
func Healthz(ready func() error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := ready(); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("not ready: " + strings.TrimSpace(err.Error()) + "\n"))
			return
		}
		w.Write([]byte("ok\n"))
	})
}
