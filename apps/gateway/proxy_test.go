package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microbox/workspace/libs/go/service"
)

// fakeGreeter stands in for one greeter replica: it answers /greet with its
// name as the instance.
func fakeGreeter(t *testing.T, name string) upstream {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/greet" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"greeting": "Hello, " + r.URL.Query().Get("name") + "!", "instance": name})
	}))
	t.Cleanup(srv.Close)
	return upstreamAt(t, name, srv.Listener.Addr().String())
}

func upstreamAt(t *testing.T, id, hostPort string) upstream {
	t.Helper()
	host, port, _ := net.SplitHostPort(hostPort)
	p, _ := strconv.Atoi(port)
	return upstream{ID: id, Address: host, Port: p, hostPort: hostPort}
}

// refusing is an address where nothing listens: a stopped replica.
func refusing(t *testing.T) upstream {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return upstreamAt(t, "refusing", addr)
}

// hanging accepts connections and never answers: a replica whose container
// froze, or whose address is gone and not yet out of the list.
func hanging(t *testing.T) upstream {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return upstreamAt(t, "hanging", ln.Addr().String())
}

// gatewayWith is a gateway whose rendered file lists ups.
func gatewayWith(t *testing.T, ups ...upstream) (*app, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "upstreams.json")
	writeUpstreams(t, path, ups...)
	a := &app{upstreams: service.Watch(path, parseUpstreams), proxy: newProxy(quietLog())}
	if err := a.upstreams.Load(); err != nil {
		t.Fatal(err)
	}
	return a, path
}

func writeUpstreams(t *testing.T, path string, ups ...upstream) {
	t.Helper()
	entries := make([]string, len(ups))
	for i, u := range ups {
		entries[i] = fmt.Sprintf(`{"id": %q, "address": %q, "port": %d}`, u.ID, u.Address, u.Port)
	}
	writeFile(t, path, `{"upstreams": [`+strings.Join(entries, ",")+`]}`)
}

type answer struct {
	code     int
	body     string
	instance string
	upstream string
}

func greetVia(t *testing.T, a *app, target string) answer {
	t.Helper()
	rec := httptest.NewRecorder()
	a.routes().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	var got struct{ Instance string }
	json.Unmarshal(rec.Body.Bytes(), &got)
	return answer{rec.Code, rec.Body.String(), got.Instance, rec.Header().Get("X-Upstream")}
}

func TestRoundRobin(t *testing.T) {
	a, _ := gatewayWith(t, fakeGreeter(t, "a"), fakeGreeter(t, "b"))
	count := map[string]int{}
	for range 100 {
		got := greetVia(t, a, "/api/greet?name=Ada")
		if got.code != http.StatusOK || !strings.Contains(got.body, `"Hello, Ada!"`) || got.upstream != got.instance {
			t.Fatalf("got %+v, want 200 greeting Ada, X-Upstream naming the replica", got)
		}
		count[got.instance]++
	}
	if count["a"] != 50 || count["b"] != 50 {
		t.Errorf("served %v, want 50 each", count)
	}
}

// A stopped replica still listed (Consul has not noticed yet) costs a retry,
// not a failed request.
func TestRetriesTheNextOnAConnectionError(t *testing.T) {
	a, _ := gatewayWith(t, refusing(t), fakeGreeter(t, "b"))
	for range 10 {
		if got := greetVia(t, a, "/api/greet"); got.code != http.StatusOK || got.instance != "b" {
			t.Fatalf("got %+v, want 200 from b", got)
		}
	}
}

// A replica that hangs holds a request for one attemptTimeout at most.
func TestRetriesTheNextWhenOneHangs(t *testing.T) {
	a, _ := gatewayWith(t, hanging(t), fakeGreeter(t, "b"))
	for range 2 { // one of the two starts at the hanging one
		start := time.Now()
		got := greetVia(t, a, "/api/greet")
		if got.code != http.StatusOK || got.instance != "b" {
			t.Fatalf("got %+v, want 200 from b", got)
		}
		if took := time.Since(start); took > attemptTimeout+500*time.Millisecond {
			t.Errorf("took %s, want at most about %s", took, attemptTimeout)
		}
	}
}

func TestNoUpstreamIs503(t *testing.T) {
	a, _ := gatewayWith(t)
	got := greetVia(t, a, "/api/greet")
	if got.code != http.StatusServiceUnavailable || !strings.Contains(got.body, "no healthy greeter upstream") {
		t.Errorf("got %+v, want 503 saying no greeter is healthy", got)
	}
}

func TestAllUpstreamsFailingIs503NamingEach(t *testing.T) {
	r1, r2 := refusing(t), refusing(t)
	a, _ := gatewayWith(t, r1, r2)
	start := time.Now()
	got := greetVia(t, a, "/api/greet")
	if got.code != http.StatusServiceUnavailable || !strings.Contains(got.body, "no greeter upstream answered") ||
		!strings.Contains(got.body, r1.hostPort) || !strings.Contains(got.body, r2.hostPort) {
		t.Errorf("got %+v, want 503 naming both replicas", got)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %s with every replica refusing, want well under a second", took)
	}
}

// At most maxAttempts replicas are tried, so a request stays bounded.
func TestTriesAtMostMaxAttempts(t *testing.T) {
	ups := make([]upstream, maxAttempts+2)
	for i := range ups {
		ups[i] = refusing(t)
	}
	a, _ := gatewayWith(t, ups...)
	got := greetVia(t, a, "/api/greet")
	if n := strings.Count(got.body, "refusing at"); got.code != http.StatusServiceUnavailable || n != maxAttempts {
		t.Errorf("got %+v naming %d tries, want 503 naming %d", got, n, maxAttempts)
	}
}

// An answer is an answer: a replica's own error is passed on, not retried.
func TestPassesOnAReplicasErrorStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"error":"config not loaded yet"}`, http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	a, _ := gatewayWith(t, upstreamAt(t, "sick", srv.Listener.Addr().String()), fakeGreeter(t, "b"))
	got := greetVia(t, a, "/api/greet")
	if got.code != http.StatusServiceUnavailable || !strings.Contains(got.body, "config not loaded yet") || got.upstream != "sick" {
		t.Errorf("got %+v, want the replica's own 503", got)
	}
}

// A new list (consul-template's render, then SIGHUP) takes effect for the
// next request; a request in flight to a replica that left finishes.
func TestReloadKeepsRequestsInFlight(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(started)
		<-release
		w.Write([]byte(`{"instance":"slow"}`))
	}))
	t.Cleanup(slow.Close)
	a, path := gatewayWith(t, upstreamAt(t, "slow", slow.Listener.Addr().String()))
	watched := watchedUpstreams{Config: a.upstreams, onChange: func(upstreams) { a.proxy.upstreamsChanged() }}

	inFlight := make(chan answer, 1)
	go func() { inFlight <- greetVia(t, a, "/api/greet") }()
	<-started
	writeUpstreams(t, path, fakeGreeter(t, "b"))
	if err := watched.Load(); err != nil {
		t.Fatal(err)
	}
	if got := greetVia(t, a, "/api/greet"); got.instance != "b" {
		t.Errorf("after the reload got %+v, want b", got)
	}
	close(release)
	if got := <-inFlight; got.code != http.StatusOK || got.instance != "slow" {
		t.Errorf("request in flight during the reload got %+v, want 200 from slow", got)
	}
}

func TestPassesTheQuery(t *testing.T) {
	a, _ := gatewayWith(t, fakeGreeter(t, "a"))
	if got := greetVia(t, a, "/api/greet?name=%22Bob%22+%3C"); !strings.Contains(got.body, `"Hello, \"Bob\" \u003c!"`) {
		t.Errorf("got %s, want the name passed on intact", got.body)
	}
}

// X-Forwarded-For is appended to, as net/http/httputil's ReverseProxy does:
// the replica sees the client behind any proxy in front of the gateway.
func TestAppendsToXForwardedFor(t *testing.T) {
	seen := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Get("X-Forwarded-For")
		w.Write([]byte(`{"instance":"a"}`))
	}))
	t.Cleanup(srv.Close)
	a, _ := gatewayWith(t, upstreamAt(t, "a", srv.Listener.Addr().String()))
	for _, c := range []struct {
		prior []string
		want  string
	}{
		{nil, "192.0.2.1"},
		{[]string{"203.0.113.7"}, "203.0.113.7, 192.0.2.1"},
		{[]string{"203.0.113.7, 198.51.100.2", "198.51.100.9"}, "203.0.113.7, 198.51.100.2, 198.51.100.9, 192.0.2.1"},
	} {
		req := httptest.NewRequest(http.MethodGet, "/api/greet", nil) // from 192.0.2.1:1234
		for _, v := range c.prior {
			req.Header.Add("X-Forwarded-For", v)
		}
		rec := httptest.NewRecorder()
		a.routes().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("got %d %s, want 200", rec.Code, rec.Body)
		}
		if got := <-seen; got != c.want {
			t.Errorf("with X-Forwarded-For %q the replica saw %q, want %q", c.prior, got, c.want)
		}
	}
}

// Every replica hanging is the longest a request can take; the gateway's
// write timeout still lets it answer 503, not cut the connection.
func TestWriteTimeoutOutlastsEveryTry(t *testing.T) {
	ups := make([]upstream, maxAttempts)
	for i := range ups {
		ups[i] = hanging(t)
	}
	a, _ := gatewayWith(t, ups...)
	srv := httptest.NewUnstartedServer(a.routes())
	srv.Config.WriteTimeout = writeTimeout
	srv.Start()
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + "/api/greet")
	if err != nil {
		t.Fatalf("with %d replicas hanging the gateway cut the connection (write timeout %s): %v", maxAttempts, writeTimeout, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusServiceUnavailable || strings.Count(string(body), "hanging at") != maxAttempts {
		t.Errorf("got %d %q (%v), want 503 naming the %d hanging replicas", resp.StatusCode, body, err, maxAttempts)
	}
}
