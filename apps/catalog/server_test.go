package main

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

func listen(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// serve runs the whole server on loopback ports, as main does; cancel stops it.
func serve(t *testing.T) (grpcAddr, httpAddr string, cancel context.CancelFunc, done <-chan error) {
	t.Helper()
	s, err := NewServer(discard())
	if err != nil {
		t.Fatal(err)
	}
	gl, hl := listen(t), listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	finished := make(chan struct{})
	go func() {
		errc <- s.Serve(ctx, gl, hl)
		close(finished)
	}()
	t.Cleanup(func() {
		cancel()
		<-finished
	})
	return gl.Addr().String(), hl.Addr().String(), cancel, errc
}

func dial(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestHealthSaysServing(t *testing.T) {
	addr, _, _, _ := serve(t)
	client := healthpb.NewHealthClient(dial(t, addr))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, service := range []string{"", catalogServiceName} {
		resp, err := client.Check(ctx, &healthpb.HealthCheckRequest{Service: service})
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Fatalf("health of %q: %v %v", service, resp, err)
		}
	}
	_, err := client.Check(ctx, &healthpb.HealthCheckRequest{Service: "other.Service"})
	if status.Code(err) != codes.NotFound {
		t.Fatalf("an unknown service: %v", err)
	}
}

func TestCatalogAPIOverGRPCWithJSONMessages(t *testing.T) {
	addr, _, _, _ := serve(t)
	conn := dial(t, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	call := func(method string, req, resp any) error {
		return conn.Invoke(ctx, "/"+catalogServiceName+"/"+method, req, resp, grpc.CallContentSubtype("json"))
	}
	var list ListProductsResponse
	if err := call("ListProducts", &ListProductsRequest{}, &list); err != nil || len(list.Products) != 4 {
		t.Fatalf("ListProducts: %d products, %v", len(list.Products), err)
	}
	var p Product
	if err := call("GetProduct", &GetProductRequest{ID: "NBK-0004"}, &p); err != nil || p.Name != "Dot-grid notebook" || p.PriceUSD.Nanos != 250_000_000 {
		t.Fatalf("GetProduct: %+v %v", p, err)
	}
	err := call("GetProduct", &GetProductRequest{ID: "nope"}, &p)
	if status.Code(err) != codes.NotFound || status.Convert(err).Message() != `no product with id "nope"` {
		t.Fatalf("GetProduct of an unknown id: %v", err)
	}
	var found SearchProductsResponse
	if err := call("SearchProducts", &SearchProductsRequest{Query: "kettle"}, &found); err != nil || len(found.Results) != 1 || found.Results[0].ID != "KET-0003" {
		t.Fatalf("SearchProducts: %+v %v", found, err)
	}
}

func TestServeStopsGracefullyWhenCancelled(t *testing.T) {
	grpcAddr, httpAddr, cancel, done := serve(t)
	resp, err := http.Get("http://" + httpAddr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(shutdownGrace + time.Second):
		t.Fatal("Serve did not return after its context was cancelled")
	}
	for _, addr := range []string{grpcAddr, httpAddr} {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections after the stop", addr)
		}
	}
}
