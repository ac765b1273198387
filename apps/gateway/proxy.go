package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// Timeouts toward the replicas. They are short because a replica on the same
// network answers in milliseconds, and a killed container's address does not
// refuse but hangs: waiting long for it would hang the caller too.
const (
	// dialTimeout bounds opening a connection to one replica.
	dialTimeout = 250 * time.Millisecond
	// attemptTimeout bounds one try at one replica, answer included.
	attemptTimeout = time.Second
	// maxAttempts is how many replicas one request tries, each at most once,
	// so a request takes at most maxAttempts*attemptTimeout.
	maxAttempts = 3
	// writeTimeout is the gateway server's bound on one request. It must
	// exceed the longest the tries can take, or the 503 that says every
	// replica failed is cut before it is written; the second on top is for
	// writing the answer.
	writeTimeout = maxAttempts*attemptTimeout + time.Second
)

// errNoUpstream: the list of healthy replicas is empty.
var errNoUpstream = errors.New("no healthy greeter upstream: Consul lists no greeter replica whose health check passes; start one, or see why its check fails in Consul (GET /v1/health/service/greeter)")

// proxy sends requests to the replicas in turn (round robin). A try that
// gets no answer (connection refused, timed out, cut) moves on to the next
// replica: the requests it forwards are GETs, safe to send twice, and a
// replica just stopped or killed stays in the list until Consul's check
// notices (about 2 s).
type proxy struct {
	transport *http.Transport
	client    *http.Client
	next      atomic.Uint64
	log       *slog.Logger
}

func newProxy(log *slog.Logger) *proxy {
	t := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: dialTimeout, KeepAlive: 15 * time.Second}).DialContext,
		ResponseHeaderTimeout: attemptTimeout,
		MaxIdleConnsPerHost:   32,
		// Below the replicas' own idle timeout (60 s, libs/go/service), so
		// the gateway drops an idle connection before a replica closes it
		// under a request.
		IdleConnTimeout: 30 * time.Second,
	}
	return &proxy{transport: t, client: &http.Client{Transport: t}, log: log}
}

// upstreamsChanged drops the idle connections kept to the old list, so none
// is kept to a replica that has gone; requests in flight keep theirs.
func (p *proxy) upstreamsChanged() { p.transport.CloseIdleConnections() }

// failure is why a request could not be forwarded.
type failure struct {
	err   error
	tried []string
}

func (f *failure) Error() string {
	if len(f.tried) == 0 {
		return f.err.Error()
	}
	return "no greeter upstream answered: " + strings.Join(f.tried, "; ")
}

// forward sends GET path?query to the next replicas in turn until one
// answers, and copies its answer to w, naming the replica in X-Upstream. Any
// answer counts, error statuses included: only a try with no answer moves on.
func (p *proxy) forward(w http.ResponseWriter, r *http.Request, ups upstreams, path string) *failure {
	n := len(ups.List)
	if n == 0 {
		return &failure{err: errNoUpstream}
	}
	start := p.next.Add(1) - 1
	f := &failure{}
	for i := range min(n, maxAttempts) {
		u := ups.List[(start+uint64(i))%uint64(n)]
		err := p.try(w, r, u, path)
		if err == nil {
			return nil
		}
		if r.Context().Err() != nil { // the caller left: nobody to answer
			return nil
		}
		p.log.Warn("upstream did not answer; trying the next", "upstream", u.String(), "err", err)
		f.tried = append(f.tried, fmt.Sprintf("%s: %v", u, err))
	}
	return f
}

// try makes one request to u. It returns an error only when u gave no
// answer, before anything was written to w.
func (p *proxy) try(w http.ResponseWriter, r *http.Request, u upstream, path string) error {
	ctx, cancel := context.WithTimeout(r.Context(), attemptTimeout)
	defer cancel()
	target := "http://" + u.hostPort + path
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", r.Header.Get("Accept"))
	req.Header.Set("X-Forwarded-For", forwardedFor(r))
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	for _, h := range []string{"Content-Type", "Content-Length", "Cache-Control"} {
		if v := resp.Header.Get(h); v != "" {
			w.Header().Set(h, v)
		}
	}
	w.Header().Set("X-Upstream", u.ID)
	w.WriteHeader(resp.StatusCode)
	if _, err := io.Copy(w, resp.Body); err != nil {
		// Too late to try another replica: the status is sent.
		p.log.Warn("upstream answer cut short", "upstream", u.String(), "err", err)
	}
	return nil
}

// forwardedFor is the X-Forwarded-For the replica gets: the proxies the
// request came through already (every X-Forwarded-For line, in order), then
// the address the gateway got it from, as net/http/httputil's ReverseProxy
// does. Replacing it instead would hide the client behind a load balancer.
func forwardedFor(r *http.Request) string {
	peer, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		peer = r.RemoteAddr
	}
	if prior := r.Header.Values("X-Forwarded-For"); len(prior) > 0 {
		return strings.Join(prior, ", ") + ", " + peer
	}
	return peer
}
