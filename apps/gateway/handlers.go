package main

import (
	"encoding/json"
	"net/http"

	"github.com/microbox/workspace/libs/go/buildinfo"
	"github.com/microbox/workspace/libs/go/service"
)

// app holds what gateway's handlers share.
type app struct {
	upstreams *service.Config[upstreams]
	proxy     *proxy
}

func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/greet", a.greet)
	mux.Handle("GET /healthz", service.Healthz(a.upstreams.Ready))
	mux.HandleFunc("GET /version", version)
	return mux
}

// greet answers GET /api/greet?name=X with what a healthy greeter replica
// answers to GET /greet?name=X, or 503 when none can.
func (a *app) greet(w http.ResponseWriter, r *http.Request) {
	ups, ok := a.upstreams.Get()
	if !ok {
		unavailable(w, a.upstreams.Ready().Error())
		return
	}
	if f := a.proxy.forward(w, r, ups, "/greet"); f != nil {
		unavailable(w, f.Error())
	}
}

// unavailable answers 503 with why, and asks the caller to try again in a
// second: a replica may pass its check by then.
func unavailable(w http.ResponseWriter, why string) {
	w.Header().Set("Retry-After", "1")
	writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": why})
}

// version answers GET /version with what go-build stamped into the binary.
func version(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"version": buildinfo.Version, "commit": buildinfo.Commit, "commitTime": buildinfo.CommitTime})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
