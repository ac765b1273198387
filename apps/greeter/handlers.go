package main

import (
	"errors"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/microbox/workspace/libs/go/service"
)

// app holds what greeter's handlers share.
type app struct {
	cfg *service.Config[config]
	// instance names this replica in answers (the hostname: in a container,
	// its id), so a caller behind a load balancer can tell replicas apart.
	instance string
	// failing is the switch POST /admin/health flips to make /healthz fail.
	failing atomic.Bool
}

func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /greet", a.greet)
	mux.Handle("GET /healthz", service.Healthz(a.ready))
	mux.HandleFunc("POST /admin/health", a.setHealth)
	mux.HandleFunc("GET /version", service.Version)
	return mux
}

// greet answers GET /greet?name=X with {"greeting":"Hello, X!","instance":"..."}.
func (a *app) greet(w http.ResponseWriter, r *http.Request) {
	c, ok := a.cfg.Get()
	if !ok {
		service.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"error": a.cfg.Ready().Error()})
		return
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "world"
	}
	service.WriteJSON(w, http.StatusOK, map[string]string{"greeting": c.Greeting + ", " + name + "!", "instance": a.instance})
}

// ready is nil once the config is loaded, unless the health switch is on.
func (a *app) ready() error {
	if err := a.cfg.Ready(); err != nil {
		return err
	}
	if a.failing.Load() {
		return errors.New("failing on purpose, switched by POST /admin/health?fail=true; POST /admin/health?fail=false to clear")
	}
	return nil
}

// setHealth answers POST /admin/health?fail=true|false: with true /healthz
// answers 503 until it is set back to false, so that Consul marks this
// replica critical and callers stop routing to it. /greet keeps working.
func (a *app) setHealth(w http.ResponseWriter, r *http.Request) {
	fail, err := strconv.ParseBool(r.URL.Query().Get("fail"))
	if err != nil {
		service.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "fail=" + strconv.Quote(r.URL.Query().Get("fail")) + " is not a boolean: use POST /admin/health?fail=true or ?fail=false"})
		return
	}
	a.failing.Store(fail)
	service.WriteJSON(w, http.StatusOK, map[string]bool{"failing": fail})
}
