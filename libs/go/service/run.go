package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// Exit codes of Run, which the image's s6 app/finish script acts on.
const (
	// ExitOK: stopped on SIGTERM or SIGINT.
	ExitOK = 0
	// ExitFailure: an unexpected failure, such as a port already taken;
	// s6 may start the service again.
	ExitFailure = 1
	// ExitConfig (EX_CONFIG of sysexits.h): the configuration cannot work,
	// a bad environment variable or no valid config file within CONFIG_WAIT.
	// Starting again will not help: the finish script should bring the
	// container down.
	ExitConfig = 78
)

const (
	// stopBudget bounds the whole stop, deregistration included, so that
	// `docker stop` ends well inside the 2 s the image's run-time contract
	// allows (Docker itself waits 10 s before SIGKILL).
	stopBudget = 1500 * time.Millisecond
	// deregisterBudget is the part of stopBudget Consul may take.
	deregisterBudget = 300 * time.Millisecond
	// configPoll is how often the config file is tried at start, until it
	// loads. After that only SIGHUP reloads it.
	configPoll = 100 * time.Millisecond
)

// Bounds on each connection of the service's HTTP server, so that a slow or
// silent client cannot hold a connection and its goroutine for ever.
const (
	// readHeaderTimeout bounds reading a request's headers.
	readHeaderTimeout = 5 * time.Second
	// readTimeout bounds reading a whole request, body included: the
	// services take small requests.
	readTimeout = 10 * time.Second
	// DefaultWriteTimeout bounds a handler and the writing of its answer,
	// from the end of the request's headers. A handler that waits on
	// others (a proxy) needs more than its own worst case: see
	// Options.WriteTimeout.
	DefaultWriteTimeout = 10 * time.Second
	// idleTimeout is how long a kept-alive connection may wait for its next
	// request. It is longer than the idle timeout of the clients that keep
	// connections to a service (the gateway keeps them 30 s), so that the
	// client drops an idle connection first and never sends a request on
	// one the server is closing.
	idleTimeout = 60 * time.Second
)

// Reloader is a config Run loads at start and on SIGHUP; *Config[T] is one.
type Reloader interface {
	Path() string
	Load() error
	Ready() error
}

// Options describe the service Run runs.
type Options struct {
	// Name is the Consul service name, e.g. "greeter".
	Name string
	// Handler serves every route, GET /healthz included (see Healthz).
	Handler http.Handler
	// Config is waited for at start and reloaded on SIGHUP.
	Config Reloader
	// Ready is what the service's /healthz answers with, and what the
	// Consul check starts as when the service registers; nil means
	// Config.Ready.
	Ready func() error
	// WriteTimeout bounds each request from the end of its headers to the
	// end of its answer; 0 means DefaultWriteTimeout. A proxy sets it above
	// the longest its upstream calls can take, or its own answer, even an
	// error, is cut.
	WriteTimeout time.Duration
	Log          *slog.Logger
}

// NewLogger returns the text logger on stderr that a service logs with, its
// lines tagged with the service name (s6 passes stderr to `docker logs`).
func NewLogger(name string) *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, nil)).With("service", name)
}

// Run serves o until SIGTERM or SIGINT, or until ctx is done, and returns
// the exit code:
//
//   - it listens on PORT and serves at once, /healthz answering 503 until the
//     config is loaded;
//   - it tries the config file every 100 ms until it loads, and gives up
//     with ExitConfig if none is valid within CONFIG_WAIT;
//   - on SIGHUP it loads the config again, keeping the last good one if the
//     new one is bad;
//   - it registers in Consul in the background (see Registrar);
//   - on SIGTERM or SIGINT, or when ctx is done (cancelled by whoever runs
//     the service in a process of its own), it deregisters, then shuts the
//     server down, letting requests in flight finish, all within 1.5 s, and
//     returns ExitOK.
func Run(ctx context.Context, o Options) int {
	// Catch SIGHUP first of all: Go's default for it is to exit, and
	// consul-template may send one as soon as it renders.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	env, err := ReadEnv()
	if err != nil {
		o.Log.Error("bad environment; giving up", "err", err, "exit", ExitConfig)
		return ExitConfig
	}
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(env.Port))
	if err != nil {
		o.Log.Error("cannot listen", "port", env.Port, "err", err, "exit", ExitFailure)
		return ExitFailure
	}
	ready := o.Ready
	if ready == nil {
		ready = o.Config.Ready
	}
	reg := NewRegistrar(env, NewRegistration(o.Name, env), ready, o.Log)
	return run(ctx, o, ln, reg, env.ConfigWait, hup)
}

var errGaveUp = errors.New("giving up")

// newServer is the HTTP server of the service registered as id.
func newServer(o Options, id string) *http.Server {
	write := o.WriteTimeout
	if write == 0 {
		write = DefaultWriteTimeout
	}
	return &http.Server{
		Handler:           ownChecksOnly(o.Handler, id),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      write,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(o.Log.Handler(), slog.LevelWarn),
	}
}

// run is Run once the environment is read and the port is open.
func run(ctx context.Context, o Options, ln net.Listener, reg *Registrar, wait time.Duration, hup <-chan os.Signal) int {
	ctx, giveUp := context.WithCancelCause(ctx)
	defer giveUp(nil)
	o.Log.Info("serving", "addr", ln.Addr().String(), "config", o.Config.Path(), "consul", reg.Consul.String(), "id", reg.Reg.ID, "advertise", reg.Reg.Check.HTTP)

	// Try the config before registering, so that a replica whose config is
	// already rendered (the usual case: s6 waits for the first render)
	// registers with its check passing.
	if err := o.Config.Load(); err == nil {
		o.Log.Info("config loaded", "path", o.Config.Path())
	}
	regCtx, stopReg := context.WithCancel(ctx)
	regDone := make(chan struct{})
	go func() {
		defer close(regDone)
		reg.Run(regCtx)
	}()
	go func() {
		if err := waitLoaded(ctx, o.Config, wait, o.Log); err != nil {
			giveUp(err)
		}
	}()
	go reloadOn(ctx, hup, o.Config, o.Log)

	err := serve(ctx, newServer(o, reg.Reg.ID), ln, func(ctx context.Context) {
		// Stop the registration loop first, so that it cannot register the
		// service again after it is deregistered.
		stopReg()
		<-regDone
		if err := reg.Deregister(ctx); err != nil {
			o.Log.Warn("consul deregistration failed; consul drops the service once its check fails", "id", reg.Reg.ID, "err", err)
			return
		}
		o.Log.Info("deregistered from consul", "id", reg.Reg.ID)
	}, o.Log)
	if err != nil {
		o.Log.Error("server failed", "err", err, "exit", ExitFailure)
		return ExitFailure
	}
	if cause := context.Cause(ctx); errors.Is(cause, errGaveUp) {
		o.Log.Error("config never loaded", "err", cause, "exit", ExitConfig)
		return ExitConfig
	}
	return ExitOK
}

// waitLoaded tries the config until it loads, and returns an error wrapping
// errGaveUp once wait has passed without a valid one (wait 0: for ever).
func waitLoaded(ctx context.Context, c Reloader, wait time.Duration, log *slog.Logger) error {
	var deadline <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		deadline = t.C
	}
	tick := time.NewTicker(configPoll)
	defer tick.Stop()
	last := ""
	for {
		if c.Ready() == nil { // a SIGHUP got there first
			return nil
		}
		err := c.Load()
		if err == nil {
			log.Info("config loaded", "path", c.Path())
			return nil
		}
		if err.Error() != last {
			log.Warn("config not loaded yet; /healthz answers 503 until it is", "err", err, "retry", configPoll, "give_up_after", wait)
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-deadline:
			return fmt.Errorf("%w: no valid config within CONFIG_WAIT=%s: %w", errGaveUp, wait, err)
		case <-tick.C:
		}
	}
}

// reloadOn loads the config again on every signal from hup.
func reloadOn(ctx context.Context, hup <-chan os.Signal, c Reloader, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		}
		err := c.Load()
		switch {
		case err == nil:
			log.Info("config reloaded on SIGHUP", "path", c.Path())
		case c.Ready() == nil:
			log.Error("config reload on SIGHUP failed; keeping the last good config", "err", err)
		default:
			log.Warn("config load on SIGHUP failed; still not ready", "err", err)
		}
	}
}

// serve serves on ln until ctx is done, then calls beforeShutdown and shuts
// the server down, all within stopBudget: beforeShutdown gets at most
// deregisterBudget of it, and requests still running when the budget ends
// are cut. It returns an error only if the server could not serve.
func serve(ctx context.Context, srv *http.Server, ln net.Listener, beforeShutdown func(context.Context), log *slog.Logger) error {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serving on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	start := time.Now()
	log.Info("stopping", "cause", context.Cause(ctx).Error(), "budget", stopBudget)
	stopCtx, cancel := context.WithTimeout(context.Background(), stopBudget)
	defer cancel()
	deregCtx, cancelDereg := context.WithTimeout(stopCtx, deregisterBudget)
	beforeShutdown(deregCtx)
	cancelDereg()
	if err := srv.Shutdown(stopCtx); err != nil {
		log.Warn("requests still running at the end of the stop budget; cutting them", "err", err)
		srv.Close()
	}
	<-served
	log.Info("stopped", "took", time.Since(start).Round(time.Millisecond))
	return nil
}
