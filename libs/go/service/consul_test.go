package service

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAgent stands in for the few routes of Consul's agent HTTP API that
// Registrar uses. Unit tests only: the end-to-end tests run a real Consul.
type fakeAgent struct {
	mu       sync.Mutex
	down     bool // answer 500, as an agent without a leader does
	services map[string]Registration
	calls    []string // "METHOD path", in order
	tokens   []string
}

func newFakeAgent(t *testing.T) (*fakeAgent, *url.URL) {
	a := &fakeAgent{services: map[string]Registration{}}
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return a, u
}

func (a *fakeAgent) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, r.Method+" "+r.URL.Path)
	a.tokens = append(a.tokens, r.Header.Get("X-Consul-Token"))
	if a.down {
		http.Error(w, "No cluster leader", http.StatusInternalServerError)
		return
	}
	switch {
	case r.Method == http.MethodPut && r.URL.Path == "/v1/agent/service/register":
		var reg Registration
		if err := json.NewDecoder(r.Body).Decode(&reg); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		a.services[reg.ID] = reg
	case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/v1/agent/service/deregister/"):
		delete(a.services, strings.TrimPrefix(r.URL.Path, "/v1/agent/service/deregister/"))
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/agent/service/"):
		reg, ok := a.services[strings.TrimPrefix(r.URL.Path, "/v1/agent/service/")]
		if !ok {
			http.Error(w, "unknown service ID", http.StatusNotFound)
			return
		}
		json.NewEncoder(w).Encode(reg)
	default:
		http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusMethodNotAllowed)
	}
}

func (a *fakeAgent) set(f func(a *fakeAgent)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f(a)
}

func (a *fakeAgent) has(id string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.services[id]
	return ok
}

func (a *fakeAgent) callList() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.calls...)
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func testEnv(consul *url.URL) Env {
	return Env{Port: 18080, Consul: consul, Address: "172.18.0.3", Hostname: "c0ffee", ConfigWait: time.Second}
}

func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", within, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRegistrationPayload(t *testing.T) {
	reg := NewRegistration("greeter", testEnv(&url.URL{Scheme: "http", Host: "127.0.0.1:8500"}))
	got, err := json.Marshal(reg)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"ID":"greeter-c0ffee-18080","Name":"greeter","Address":"172.18.0.3","Port":18080,` +
		`"Check":{"Name":"greeter /healthz","HTTP":"http://172.18.0.3:18080/healthz?service_id=greeter-c0ffee-18080","Interval":"1s",` +
		`"Timeout":"500ms","DeregisterCriticalServiceAfter":"1m"}}`
	if string(got) != want {
		t.Errorf("payload\n got %s\nwant %s", got, want)
	}

	env := testEnv(nil)
	env.Address = "fd00::5"
	if reg := NewRegistration("greeter", env); reg.Check.HTTP != "http://[fd00::5]:18080/healthz?service_id=greeter-c0ffee-18080" {
		t.Errorf("IPv6 check URL = %s", reg.Check.HTTP)
	}
}

func TestRegistrarRegistersAndDeregisters(t *testing.T) {
	agent, u := newFakeAgent(t)
	env := testEnv(u)
	env.ConsulToken = "s3cret"
	r := NewRegistrar(env, NewRegistration("greeter", env), nil, quietLog())
	if err := r.Register(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !agent.has("greeter-c0ffee-18080") {
		t.Fatal("service not registered")
	}
	if err := r.Deregister(t.Context()); err != nil {
		t.Fatal(err)
	}
	if agent.has("greeter-c0ffee-18080") {
		t.Fatal("service still registered after Deregister")
	}
	want := []string{"PUT /v1/agent/service/register", "PUT /v1/agent/service/deregister/greeter-c0ffee-18080"}
	if got := agent.callList(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("calls = %q, want %q", got, want)
	}
	for _, tok := range agent.tokens {
		if tok != "s3cret" {
			t.Errorf("X-Consul-Token = %q, want the CONSUL_HTTP_TOKEN value", tok)
		}
	}
}

// A replica registers with its check already in the state /healthz is in,
// so a ready one takes traffic without waiting for the check's first run.
func TestRegistrarStartsTheCheckFromReadiness(t *testing.T) {
	agent, u := newFakeAgent(t)
	env := testEnv(u)
	var notReady error = errors.New("config not loaded yet")
	r := NewRegistrar(env, NewRegistration("greeter", env), func() error { return notReady }, quietLog())
	for _, want := range []string{"critical", "passing"} {
		if err := r.Register(t.Context()); err != nil {
			t.Fatal(err)
		}
		agent.mu.Lock()
		got := agent.services[r.Reg.ID].Check.Status
		agent.mu.Unlock()
		if got != want {
			t.Errorf("check status %q, want %q", got, want)
		}
		notReady = nil
	}
	if r.Reg.Check.Status != "" {
		t.Errorf("Register changed r.Reg: status %q", r.Reg.Check.Status)
	}
}

func TestRegistrarErrorsCarryConsulsMessage(t *testing.T) {
	agent, u := newFakeAgent(t)
	agent.set(func(a *fakeAgent) { a.down = true })
	env := testEnv(u)
	r := NewRegistrar(env, NewRegistration("greeter", env), nil, quietLog())
	err := r.Register(t.Context())
	if err == nil || !strings.Contains(err.Error(), "500") || !strings.Contains(err.Error(), "No cluster leader") {
		t.Errorf("Register against a failing agent = %v, want its status and message", err)
	}
}

// While Consul is away Run keeps retrying; when it appears the service is
// registered; when it loses the service (a restart) Run registers it again.
func TestRegistrarRetriesAndReregisters(t *testing.T) {
	agent, u := newFakeAgent(t)
	agent.set(func(a *fakeAgent) { a.down = true })
	env := testEnv(u)
	r := NewRegistrar(env, NewRegistration("greeter", env), nil, quietLog())
	r.Every, r.Retry = 10*time.Millisecond, 10*time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Run(ctx)
	}()

	eventually(t, time.Second, "three register attempts while consul is down", func() bool {
		n := 0
		for _, c := range agent.callList() {
			if c == "PUT /v1/agent/service/register" {
				n++
			}
		}
		return n >= 3
	})
	agent.set(func(a *fakeAgent) { a.down = false })
	eventually(t, time.Second, "registered once consul is up", func() bool { return agent.has(r.Reg.ID) })

	agent.set(func(a *fakeAgent) { a.services = map[string]Registration{} }) // a dev agent restarted
	eventually(t, time.Second, "registered again after consul lost the service", func() bool { return agent.has(r.Reg.ID) })

	cancel()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
}

// An agent that is not there at all (connection refused) is retried too.
func TestRegistrarRetriesUnreachableConsul(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u, _ := url.Parse(srv.URL)
	srv.Close() // nothing listens at u any more

	env := testEnv(u)
	r := NewRegistrar(env, NewRegistration("greeter", env), nil, quietLog())
	r.Every, r.Retry = 10*time.Millisecond, 10*time.Millisecond
	var logged strings.Builder
	var mu sync.Mutex
	r.Log = slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logged.Write(p)
	}), nil))
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	r.Run(ctx)

	mu.Lock()
	defer mu.Unlock()
	if n := strings.Count(logged.String(), "consul registration failed"); n != 1 {
		t.Errorf("logged the failure %d times, want once (the state changed once):\n%s", n, logged.String())
	}
	if !strings.Contains(logged.String(), "connection refused") {
		t.Errorf("log does not say why:\n%s", logged.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
