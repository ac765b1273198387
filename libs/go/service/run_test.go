package service

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func get(url string) (int, string, error) {
	c := &http.Client{Timeout: time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

type events struct {
	mu   sync.Mutex
	list []string
}

func (e *events) add(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, s)
}

func (e *events) all() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.list...)
}

// On stop, deregistration comes first, while the server still serves; then
// the server shuts down and lets a request in flight finish.
func TestServeDeregistersBeforeShutdown(t *testing.T) {
	ln := listen(t)
	base := "http://" + ln.Addr().String()
	var ev events
	started := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/slow", func(w http.ResponseWriter, _ *http.Request) {
		close(started)
		time.Sleep(300 * time.Millisecond)
		ev.add("slow request done")
		w.Write([]byte("done"))
	})
	mux.HandleFunc("/ping", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("pong")) })
	srv := &http.Server{Handler: mux}
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() {
		served <- serve(ctx, srv, ln, func(context.Context) {
			if code, _, err := get(base + "/ping"); err != nil || code != http.StatusOK {
				t.Errorf("server not serving while deregistering: %d %v", code, err)
			}
			ev.add("deregistered")
		}, quietLog())
	}()

	slow := make(chan string, 1)
	go func() {
		_, body, err := get(base + "/slow")
		if err != nil {
			body = err.Error()
		}
		slow <- body
	}()
	<-started
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	ev.add("server stopped")
	if body := <-slow; body != "done" {
		t.Errorf("request in flight got %q, want done", body)
	}
	want := []string{"deregistered", "slow request done", "server stopped"}
	if got := ev.all(); len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("order = %q, want %q", got, want)
	}
	if _, _, err := get(base + "/ping"); err == nil {
		t.Error("server still answers after serve returned")
	}
}

// A request that never ends does not hold the stop past its budget.
func TestServeStopIsBounded(t *testing.T) {
	ln := listen(t)
	started := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
	})}
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() {
		served <- serve(ctx, srv, ln, func(ctx context.Context) { <-ctx.Done() }, quietLog())
	}()
	go get("http://" + ln.Addr().String() + "/hang")
	<-started
	start := time.Now()
	cancel()
	<-served
	if took := time.Since(start); took > stopBudget+200*time.Millisecond {
		t.Errorf("stop took %s, want at most about %s", took, stopBudget)
	}
}

func TestServeReportsAListenerThatFails(t *testing.T) {
	ln := listen(t)
	ln.Close()
	err := serve(t.Context(), &http.Server{}, ln, func(context.Context) {}, quietLog())
	if err == nil {
		t.Fatal("serve on a closed listener returned nil")
	}
}

// countedLoads is a Reloader that counts the loads that failed, so that a
// test can wait for a reload to have happened instead of sleeping.
type countedLoads struct {
	Reloader
	failed atomic.Int64
}

func (c *countedLoads) Load() error {
	err := c.Reloader.Load()
	if err != nil {
		c.failed.Add(1)
	}
	return err
}

type runFixture struct {
	agent *fakeAgent
	reg   *Registrar
	path  string
	cfg   *Config[testConfig]
	loads *countedLoads
	base  string
	hup   chan os.Signal
	exit  chan int
	stop  context.CancelFunc
}

func startRun(t *testing.T, wait time.Duration) *runFixture {
	t.Helper()
	f := &runFixture{hup: make(chan os.Signal, 1), exit: make(chan int, 1)}
	agent, consul := newFakeAgent(t)
	f.agent = agent
	ln := listen(t)
	f.base = "http://" + ln.Addr().String()
	env := testEnv(consul)
	f.path = filepath.Join(t.TempDir(), "greeter.json")
	f.cfg = Watch(f.path, parseTestConfig)
	f.loads = &countedLoads{Reloader: f.cfg}
	f.reg = NewRegistrar(env, NewRegistration("greeter", env), f.cfg.Ready, quietLog())
	f.reg.Every, f.reg.Retry = 10*time.Millisecond, 10*time.Millisecond
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", Healthz(f.cfg.Ready))
	mux.HandleFunc("GET /greeting", func(w http.ResponseWriter, _ *http.Request) {
		c, _ := f.cfg.Get()
		w.Write([]byte(c.Greeting))
	})
	ctx, cancel := context.WithCancel(t.Context())
	f.stop = cancel
	go func() {
		f.exit <- run(ctx, Options{Name: "greeter", Handler: mux, Config: f.loads, Log: quietLog()}, ln, f.reg, wait, f.hup)
	}()
	return f
}

func (f *runFixture) greeting(t *testing.T) string {
	t.Helper()
	_, body, err := get(f.base + "/greeting")
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func (f *runFixture) exitCode(t *testing.T) int {
	t.Helper()
	select {
	case code := <-f.exit:
		return code
	case <-time.After(3 * time.Second):
		t.Fatal("run did not return")
		return -1
	}
}

func TestRunServesBeforeConfigThenReloads(t *testing.T) {
	f := startRun(t, 5*time.Second)
	eventually(t, time.Second, "/healthz answers 503 before the config exists", func() bool {
		code, _, err := get(f.base + "/healthz")
		return err == nil && code == http.StatusServiceUnavailable
	})
	eventually(t, time.Second, "registered while not ready", func() bool { return f.agent.has(f.reg.Reg.ID) })
	f.agent.mu.Lock()
	status := f.agent.services[f.reg.Reg.ID].Check.Status
	f.agent.mu.Unlock()
	if status != "critical" {
		t.Errorf("registered before the config loaded with check status %q, want critical", status)
	}

	writeFile(t, f.path, `{"greeting":"Hello"}`)
	eventually(t, time.Second, "/healthz 200 once the file appears", func() bool {
		code, _, _ := get(f.base + "/healthz")
		return code == http.StatusOK
	})

	writeFile(t, f.path, `{"greeting":"Hi"}`)
	if g := f.greeting(t); g != "Hello" {
		t.Fatalf("greeting changed to %q before SIGHUP", g)
	}
	f.hup <- syscall.SIGHUP
	eventually(t, time.Second, "greeting Hi after SIGHUP", func() bool { return f.greeting(t) == "Hi" })

	writeFile(t, f.path, `{"greeting":`)
	failed := f.loads.failed.Load()
	f.hup <- syscall.SIGHUP
	eventually(t, time.Second, "the bad file loaded on SIGHUP, and refused", func() bool { return f.loads.failed.Load() > failed })
	if g := f.greeting(t); g != "Hi" {
		t.Errorf("after a bad reload greeting = %q, want the last good Hi", g)
	}
	if code, _, _ := get(f.base + "/healthz"); code != http.StatusOK {
		t.Errorf("after a bad reload /healthz = %d, want 200", code)
	}

	f.stop()
	if code := f.exitCode(t); code != ExitOK {
		t.Errorf("exit code %d, want %d", code, ExitOK)
	}
	calls := f.agent.callList()
	if last := calls[len(calls)-1]; last != "PUT /v1/agent/service/deregister/"+f.reg.Reg.ID {
		t.Errorf("last consul call %q, want the deregistration", last)
	}
	if f.agent.has(f.reg.Reg.ID) {
		t.Error("still registered after stop")
	}
}

func TestRunGivesUpWithoutConfig(t *testing.T) {
	f := startRun(t, 200*time.Millisecond)
	start := time.Now()
	if code := f.exitCode(t); code != ExitConfig {
		t.Fatalf("exit code %d, want %d", code, ExitConfig)
	}
	if took := time.Since(start); took < 200*time.Millisecond || took > time.Second {
		t.Errorf("gave up after %s, want about 200ms", took)
	}
	if f.agent.has(f.reg.Reg.ID) {
		t.Error("still registered after giving up")
	}
}

// realRun is Run itself on a free port, its config file already valid and
// its Consul a fake agent, all set through the environment Run reads.
type realRun struct {
	agent *fakeAgent
	base  string
	path  string
	opts  Options
	exit  chan int
}

func startRealRun(t *testing.T, ctx context.Context) *realRun {
	t.Helper()
	agent, consul := newFakeAgent(t)
	ln := listen(t)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	r := &realRun{agent: agent, base: "http://127.0.0.1:" + strconv.Itoa(port), path: filepath.Join(t.TempDir(), "greeter.json"), exit: make(chan int, 1)}
	writeFile(t, r.path, `{"greeting":"Hello"}`)
	t.Setenv("PORT", strconv.Itoa(port))
	t.Setenv("CONSUL_HTTP_ADDR", consul.Host)
	t.Setenv("SERVICE_ADDRESS", "127.0.0.1")
	t.Setenv("CONFIG_WAIT", "2s")
	cfg := Watch(r.path, parseTestConfig)
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", Healthz(cfg.Ready))
	mux.HandleFunc("GET /greeting", func(w http.ResponseWriter, _ *http.Request) {
		c, _ := cfg.Get()
		w.Write([]byte(c.Greeting))
	})
	r.opts = Options{Name: "greeter", Handler: mux, Config: cfg, Log: quietLog()}
	go func() { r.exit <- Run(ctx, r.opts) }()
	eventually(t, 2*time.Second, "/healthz 200", func() bool {
		code, _, _ := get(r.base + "/healthz")
		return code == http.StatusOK
	})
	eventually(t, time.Second, "registered", func() bool { return len(agent.callList()) > 0 })
	return r
}

// stopped waits for Run to return after what stopped it, and checks that it
// returned ExitOK with the deregistration as its last call to Consul.
func (r *realRun) stopped(t *testing.T, after string) {
	t.Helper()
	select {
	case code := <-r.exit:
		if code != ExitOK {
			t.Errorf("exit code %d after %s, want 0", code, after)
		}
	case <-time.After(2 * time.Second):
		t.Fatalf("Run did not stop within 2s of %s", after)
	}
	calls := r.agent.callList()
	if last := calls[len(calls)-1]; !strings.HasPrefix(last, "PUT /v1/agent/service/deregister/") {
		t.Errorf("last consul call %q after %s, want a deregistration", last, after)
	}
}

// Run itself, with real signals: SIGHUP reloads, SIGTERM stops with 0.
func TestRunHandlesSignals(t *testing.T) {
	r := startRealRun(t, t.Context())
	writeFile(t, r.path, `{"greeting":"Hi"}`)
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	eventually(t, time.Second, "greeting Hi after SIGHUP", func() bool {
		_, body, _ := get(r.base + "/greeting")
		return body == "Hi"
	})
	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	r.stopped(t, "SIGTERM")
}

// Cancelling Run's context stops it as SIGTERM does: deregistered, exit 0.
func TestRunStopsWhenItsContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	r := startRealRun(t, ctx)
	cancel()
	r.stopped(t, "its context was cancelled")
}

// Every connection is bounded; WriteTimeout can be raised for a proxy.
func TestServerTimeouts(t *testing.T) {
	srv := newServer(Options{Handler: http.NotFoundHandler(), Log: quietLog()}, "greeter-1")
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout < srv.ReadHeaderTimeout || srv.WriteTimeout != DefaultWriteTimeout || srv.IdleTimeout <= 0 {
		t.Errorf("timeouts: read header %s, read %s, write %s, idle %s; want all set, write %s",
			srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, DefaultWriteTimeout)
	}

	// A handler slower than the write timeout gets its answer cut.
	ln := listen(t)
	slow := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(300 * time.Millisecond)
		w.Write([]byte("late"))
	})
	srv = newServer(Options{Handler: slow, WriteTimeout: 100 * time.Millisecond, Log: quietLog()}, "greeter-1")
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	if _, body, err := get("http://" + ln.Addr().String() + "/"); err == nil {
		t.Errorf("a 300ms handler under a 100ms write timeout answered %q, want the connection cut", body)
	}
}

func TestRunRejectsABadEnvironment(t *testing.T) {
	t.Setenv("PORT", "eighty")
	code := Run(t.Context(), Options{Name: "greeter", Handler: http.NotFoundHandler(), Config: Watch("/nonexistent", parseTestConfig), Log: quietLog()})
	if code != ExitConfig {
		t.Errorf("exit code %d with PORT=eighty, want %d", code, ExitConfig)
	}
}
