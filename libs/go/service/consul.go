package service

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Registration is the body of Consul's PUT /v1/agent/service/register.
type Registration struct {
	ID      string
	Name    string
	Address string
	Port    int
	Check   Check
}

// Check is the registration's health check.
type Check struct {
	Name                           string
	HTTP                           string
	Interval                       string
	Timeout                        string
	DeregisterCriticalServiceAfter string
}

// NewRegistration describes one replica of the service name as Env sees it.
//
// The id is name-hostname-port, unique per replica. The check polls
// /healthz every second with a 0.5 s timeout: Consul's default timeout is
// 10 s, and a killed container's address does not refuse but hangs, so the
// short timeout is what takes a dead replica out in about 2 s. A replica
// that stays critical for a minute (Consul's smallest reap time) is
// deregistered by Consul itself.
func NewRegistration(name string, env Env) Registration {
	hostPort := net.JoinHostPort(env.Address, strconv.Itoa(env.Port))
	return Registration{
		ID:      fmt.Sprintf("%s-%s-%d", name, env.Hostname, env.Port),
		Name:    name,
		Address: env.Address,
		Port:    env.Port,
		Check: Check{
			Name:                           name + " /healthz",
			HTTP:                           "http://" + hostPort + "/healthz",
			Interval:                       "1s",
			Timeout:                        "500ms",
			DeregisterCriticalServiceAfter: "1m",
		},
	}
}

// Registrar keeps a Registration in a Consul agent.
type Registrar struct {
	Consul *url.URL
	Token  string
	Reg    Registration
	// Every is how often Run checks that the service is still registered,
	// and how often it retries while Consul is away.
	Every  time.Duration
	Client *http.Client
	Log    *slog.Logger
}

// NewRegistrar returns a Registrar for reg at the agent env names, checking
// every second.
func NewRegistrar(env Env, reg Registration, log *slog.Logger) *Registrar {
	return &Registrar{
		Consul: env.Consul,
		Token:  env.ConsulToken,
		Reg:    reg,
		Every:  time.Second,
		Client: &http.Client{Timeout: time.Second},
		Log:    log,
	}
}

// Run registers the service and keeps it registered until ctx is done. The
// service serves whether or not Consul is up: while it is away Run retries
// every r.Every, and when the agent has lost the service (a restarted dev
// agent keeps nothing) Run registers it again. It logs when the state
// changes, not on every retry.
func (r *Registrar) Run(ctx context.Context) {
	registered := false
	last := "" // what was logged last: "ok", an error's text, or nothing yet
	t := time.NewTicker(r.Every)
	defer t.Stop()
	for {
		err := r.sync(ctx, &registered)
		if ctx.Err() != nil {
			return
		}
		now := "ok"
		if err != nil {
			now = err.Error()
		}
		if now != last {
			if err != nil {
				r.Log.Warn("consul registration failed; the service keeps serving and retries", "consul", r.Consul.String(), "id", r.Reg.ID, "every", r.Every, "err", err)
			} else {
				r.Log.Info("registered in consul", "consul", r.Consul.String(), "id", r.Reg.ID, "address", r.Reg.Address, "port", r.Reg.Port)
			}
			last = now
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sync makes sure the service is registered, registering it when it was not
// or when the agent no longer knows it.
func (r *Registrar) sync(ctx context.Context, registered *bool) error {
	lost := false
	if *registered {
		ok, err := r.present(ctx)
		if err != nil {
			*registered = false
			return err
		}
		if ok {
			return nil
		}
		lost = true
	}
	if err := r.Register(ctx); err != nil {
		*registered = false
		return err
	}
	*registered = true
	if lost {
		r.Log.Info("consul had lost this service (restarted?); registered it again", "consul", r.Consul.String(), "id", r.Reg.ID)
	}
	return nil
}

// Register puts the registration in the agent once.
func (r *Registrar) Register(ctx context.Context) error {
	body, err := json.Marshal(r.Reg)
	if err != nil {
		return err
	}
	_, err = r.do(ctx, http.MethodPut, "/v1/agent/service/register", body)
	return err
}

// Deregister removes the service from the agent once.
func (r *Registrar) Deregister(ctx context.Context) error {
	_, err := r.do(ctx, http.MethodPut, "/v1/agent/service/deregister/"+url.PathEscape(r.Reg.ID), nil)
	return err
}

// present asks the agent whether it still has the service.
func (r *Registrar) present(ctx context.Context) (bool, error) {
	status, err := r.do(ctx, http.MethodGet, "/v1/agent/service/"+url.PathEscape(r.Reg.ID), nil)
	if status == http.StatusNotFound {
		return false, nil
	}
	return err == nil, err
}

// do sends one request to the agent; any status but 200 is an error that
// carries Consul's own message.
func (r *Registrar) do(ctx context.Context, method, path string, body []byte) (int, error) {
	u := r.Consul.JoinPath(path)
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.Token != "" {
		req.Header.Set("X-Consul-Token", r.Token)
	}
	resp, err := r.Client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, u.Redacted(), err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, fmt.Errorf("%s %s: consul answered %s: %s", method, u.Redacted(), resp.Status, strings.TrimSpace(string(msg)))
	}
	return resp.StatusCode, nil
}
