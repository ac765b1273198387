package main

import (
	"net/http"

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
	mux.HandleFunc("GET /version", service.Version)
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
	service.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"error": why})
}
