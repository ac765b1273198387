package main

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path/filepath"
)

// LoadPages parses every templates/*.html under dir (relative to the working
// directory in main).
func LoadPages(dir string) (*template.Template, error) {
	pattern := filepath.Join(dir, "*.html")
	matches, err := filepath.Glob(pattern)
	if err != nil {
		return nil, err
	}
	if len(matches) == 0 {
		return nil, fmt.Errorf("no HTML templates match %s: the web pages are rendered from there", pattern)
	}
	return template.New("").Funcs(template.FuncMap{"money": Money.String}).ParseFiles(matches...)
}

type site struct {
	catalog *Catalog
	pages   *template.Template
	version string
	log     *slog.Logger
}

// NewWebHandler serves the shop's pages, the files under static at /static/,
// and GET /healthz.
func NewWebHandler(c *Catalog, pages *template.Template, static fs.FS, version string, log *slog.Logger) http.Handler {
	s := &site{catalog: c, pages: pages, version: version, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /product/{id}", s.product)
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	return mux
}

func (s *site) home(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query().Get("q")
	products := s.catalog.List()
	if query != "" {
		products = s.catalog.Search(query)
	}
	s.render(w, http.StatusOK, "home.html", map[string]any{"Query": query, "Products": products, "Version": s.version})
}

func (s *site) product(w http.ResponseWriter, r *http.Request) {
	p, ok := s.catalog.Get(r.PathValue("id"))
	if !ok {
		s.render(w, http.StatusNotFound, "notfound.html", map[string]any{"ID": r.PathValue("id"), "Version": s.version})
		return
	}
	s.render(w, http.StatusOK, "product.html", map[string]any{"Product": p, "Version": s.version})
}

// render executes into a buffer first, so a template error is a clean 500
// rather than half a page.
func (s *site) render(w http.ResponseWriter, code int, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, data); err != nil {
		s.log.Error("rendering a page", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = buf.WriteTo(w)
}
