package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// newSite serves the shipped products, templates and static files, as main does.
func newSite(t *testing.T) *httptest.Server {
	t.Helper()
	c, err := LoadCatalog("products.json")
	if err != nil {
		t.Fatal(err)
	}
	pages, err := LoadPages("templates")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewWebHandler(c, pages, os.DirFS("static"), "v-test", discard()))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

func TestHomeListsEveryProduct(t *testing.T) {
	srv := newSite(t)
	code, h, body := get(t, srv.URL+"/")
	if code != 200 || h.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("got %d %s", code, h.Get("Content-Type"))
	}
	for _, want := range []string{`<a href="/product/TEA-0001">Loose-leaf green tea</a>`, "49.99 USD", "catalog v-test", `src="/static/logo.png"`} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("home page lacks %q:\n%s", want, body)
		}
	}
}

func TestHomeSearchesAndEscapesTheQuery(t *testing.T) {
	srv := newSite(t)
	_, _, body := get(t, srv.URL+"/?q=notebook")
	if !bytes.Contains(body, []byte("Dot-grid notebook")) || bytes.Contains(body, []byte("Stoneware mug")) {
		t.Fatalf("search for notebook:\n%s", body)
	}
	_, _, body = get(t, srv.URL+"/?q=%3Cscript%3E")
	if bytes.Contains(body, []byte("<script>")) || !bytes.Contains(body, []byte("&lt;script&gt;")) {
		t.Fatalf("the query is not escaped:\n%s", body)
	}
}

func TestProductPageAndUnknownProduct(t *testing.T) {
	srv := newSite(t)
	code, _, body := get(t, srv.URL+"/product/KET-0003")
	if code != 200 || !bytes.Contains(body, []byte("<h1>Gooseneck kettle</h1>")) || !bytes.Contains(body, []byte("kitchen, tea")) {
		t.Fatalf("got %d:\n%s", code, body)
	}
	code, _, body = get(t, srv.URL+"/product/NOPE-1")
	if code != 404 || !bytes.Contains(body, []byte("There is no product “NOPE-1”")) {
		t.Fatalf("got %d:\n%s", code, body)
	}
}

func TestStaticFilesAreServedByteForByte(t *testing.T) {
	srv := newSite(t)
	want, err := os.ReadFile("static/logo.png")
	if err != nil {
		t.Fatal(err)
	}
	code, h, body := get(t, srv.URL+"/static/logo.png")
	if code != 200 || h.Get("Content-Type") != "image/png" || !bytes.Equal(body, want) {
		t.Fatalf("got %d %s, %d bytes (want %d)", code, h.Get("Content-Type"), len(body), len(want))
	}
	if code, _, _ := get(t, srv.URL+"/static/missing.png"); code != 404 {
		t.Fatalf("a missing static file: %d", code)
	}
}

func TestHealthz(t *testing.T) {
	srv := newSite(t)
	code, _, body := get(t, srv.URL+"/healthz")
	if code != 200 || strings.TrimSpace(string(body)) != "ok" {
		t.Fatalf("got %d %q", code, body)
	}
	resp, err := http.Post(srv.URL+"/healthz", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST /healthz: %d", resp.StatusCode)
	}
}
