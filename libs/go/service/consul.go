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
	// Status is the check's state until it first runs (Consul's default is
	// critical); Registrar sets it from the service's own readiness.
	Status string `json:",omitempty"`
}

// NewRegistration describes one replica of the service name as Env sees it.
//
// The id is name-hostname-port, unique per replica. The check polls
// /healthz?service_id=<id> every second with a 0.5 s timeout: Consul's default timeout is
// 10 s, and a killed container's address does not refuse but hangs, so the
// short timeout is what takes a dead replica out in about 2 s. A replica
// that stays critical for a minute (Consul's smallest reap time) is
// deregistered by Consul itself.
func NewRegistration(name string, env Env) Registration {
	hostPort := net.JoinHostPort(env.Address, strconv.Itoa(env.Port))
	id := fmt.Sprintf("%s-%s-%d", name, env.Hostname, env.Port)
	return Registration{
		ID:      id,
		Name:    name,
		Address: env.Address,
		Port:    env.Port,
		Check: Check{
			Name: name + " /healthz",
			// The check names the registration it is for, so that only this
			// replica can pass it (see ownChecksOnly).
			HTTP:                           "http://" + hostPort + "/healthz?" + checkIDParam + "=" + url.QueryEscape(id),
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
	// Ready is what /healthz answers with (nil: always ready). A
	// registration starts its check passing when Ready returns nil, so that a replica that is already serving
	// takes traffic at once instead of after the check's first run (up to an
	// interval later, and Consul staggers it at random within the first).
	Ready func() error
	// Every is how often Run checks that the service is still registered.
	Every time.Duration
	// Retry is how often Run tries again while it is not registered.
	Retry  time.Duration
	Client *http.Client
	Log    *slog.Logger
}

// NewRegistrar returns a Registrar for reg at the agent env names. It
// checks every second, and retries four times a second while Consul is
// away, so that a replica is back in the catalog soon after Consul is.
func NewRegistrar(env Env, reg Registration, ready func() error, log *slog.Logger) *Registrar {
	return &Registrar{
		Consul: env.Consul,
		Token:  env.ConsulToken,
		Reg:    reg,
		Ready:  ready,
		Every:  time.Second,
		Retry:  250 * time.Millisecond,
		Client: &http.Client{Timeout: time.Second},
		Log:    log,
	}
}

// Run registers the service and keeps it registered until ctx is done. The
// service serves whether or not Consul is up: while it is away Run retries,
// and when the agent has lost the service (a restarted dev agent keeps
// nothing) Run registers it again. It logs when registration starts or
// stops working, not on every retry.
func (r *Registrar) Run(ctx context.Context) {
	registered := false
	failing := false
	for {
		err := r.sync(ctx, &registered)
		if ctx.Err() != nil {
			return
		}
		if err != nil && !failing {
			r.Log.Warn("consul registration failed; the service keeps serving and retries", "consul", r.Consul.String(), "id", r.Reg.ID, "retry", r.Retry, "err", err)
		}
		failing = err != nil
		wait := r.Every
		if !registered {
			wait = r.Retry
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// sync makes sure the service is registered, registering it when it was not
// or when the agent no longer knows it.
func (r *Registrar) sync(ctx context.Context, registered *bool) error {
	if *registered {
		ok, err := r.present(ctx)
		if err != nil {
			*registered = false
			return err
		}
		if ok {
			return nil
		}
		r.Log.Warn("consul has lost this service (restarted?); registering it again", "consul", r.Consul.String(), "id", r.Reg.ID)
	}
	if err := r.Register(ctx); err != nil {
		*registered = false
		return err
	}
	*registered = true
	r.Log.Info("registered in consul", "consul", r.Consul.String(), "id", r.Reg.ID, "address", r.Reg.Address, "port", r.Reg.Port)
	return nil
}

// Register puts the registration in the agent once, its check starting
// passing if the service is ready and critical if not.
func (r *Registrar) Register(ctx context.Context) error {
	reg := r.Reg
	reg.Check.Status = "critical"
	if r.Ready == nil || r.Ready() == nil {
		reg.Check.Status = "passing"
	}
	body, err := json.Marshal(reg)
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
