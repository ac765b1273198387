package service

import (
	"fmt"
	"net/http"
)

// checkIDParam is the query parameter by which a registration's health check
// names the service id it is for: /healthz?service_id=<id>.
const checkIDParam = "service_id"

// ownChecksOnly wraps h so that a health check made for another service id
// fails, whatever h would answer.
//
// Why: a killed replica does not deregister. Its registration stays in
// Consul, with its check polling its old address, until the check has been
// critical for a minute (DeregisterCriticalServiceAfter). Docker soon gives
// that address to a new container; a check that reached the newcomer and
// passed would bring the dead replica back into the catalog under its old id,
// listed twice at one address, and never reaped. The newcomer answers such a
// check 503, so the old registration stays critical until Consul removes it.
// A /healthz without the parameter (a person, a probe) is answered as usual.
func ownChecksOnly(h http.Handler, id string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			if asked := r.URL.Query().Get(checkIDParam); asked != "" && asked != id {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				w.Header().Set("Cache-Control", "no-store")
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintf(w, "not %s: this is %s at the same address; the check belongs to a replica that is gone\n", asked, id)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}
