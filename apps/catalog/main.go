// Command catalog serves a product catalog: a gRPC API with the standard
// health service on PORT (3550), and web pages with their static files on
// HTTP_PORT (8080). It reads products.json, templates/ and static/ from its
// working directory, is configured by its environment only, and stops
// gracefully on SIGTERM or SIGINT.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// Set at build time with -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = "unknown"
)

// How long in-flight requests get to finish after SIGTERM before the
// servers close their connections.
const shutdownGrace = 5 * time.Second

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, os.Getenv, log); err != nil {
		log.Error(err.Error())
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, log *slog.Logger) error {
	cfg, err := ConfigFromEnv(getenv)
	if err != nil {
		return err
	}
	s, err := NewServer(log)
	if err != nil {
		return err
	}
	grpcLis, err := net.Listen("tcp", cfg.GRPCAddr)
	if err != nil {
		return err
	}
	httpLis, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		grpcLis.Close()
		return err
	}
	log.Info("catalog starting", "version", version, "commit", commit, "grpc", grpcLis.Addr().String(), "http", httpLis.Addr().String(), "products", len(s.catalog.List()))
	return s.Serve(ctx, grpcLis, httpLis)
}

// Server is the catalog's two servers over one product list.
type Server struct {
	catalog *Catalog
	grpc    *grpc.Server
	health  *health.Server
	http    *http.Server
	log     *slog.Logger
}

// NewServer reads products.json, templates/ and static/ from the working
// directory and sets up both servers; the health service says SERVING from
// here on, since everything it serves is loaded.
func NewServer(log *slog.Logger) (*Server, error) {
	catalog, err := LoadCatalog("products.json")
	if err != nil {
		return nil, err
	}
	pages, err := LoadPages("templates")
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat("static"); err != nil || !st.IsDir() {
		return nil, errors.New("no static/ folder in the working directory: the web pages' images and styles are served from there")
	}
	s := &Server{catalog: catalog, grpc: grpc.NewServer(), health: health.NewServer(), log: log}
	healthpb.RegisterHealthServer(s.grpc, s.health)
	RegisterProductCatalog(s.grpc, catalog)
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	s.health.SetServingStatus(catalogServiceName, healthpb.HealthCheckResponse_SERVING)
	s.http = &http.Server{
		Handler:           NewWebHandler(catalog, pages, os.DirFS("static"), version, log),
		ReadHeaderTimeout: 10 * time.Second,
	}
	return s, nil
}

// Serve runs both servers until ctx is done, then stops them gracefully:
// health says NOT_SERVING, in-flight calls and requests finish (for at most
// shutdownGrace), and it returns nil. A server that fails ends both.
func (s *Server) Serve(ctx context.Context, grpcLis, httpLis net.Listener) error {
	errc := make(chan error, 2)
	go func() { errc <- s.grpc.Serve(grpcLis) }()
	go func() {
		if err := s.http.Serve(httpLis); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	var failed error
	select {
	case <-ctx.Done():
		s.log.Info("catalog stopping")
	case failed = <-errc:
	}
	s.health.Shutdown()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	stopped := make(chan struct{})
	go func() {
		s.grpc.GracefulStop()
		close(stopped)
	}()
	_ = s.http.Shutdown(shutdownCtx)
	select {
	case <-stopped:
	case <-shutdownCtx.Done():
		s.grpc.Stop()
	}
	return failed
}
