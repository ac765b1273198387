package main

import (
	"fmt"
	"net"
	"strconv"
)

// Config is everything the service reads from its environment.
type Config struct {
	// GRPCAddr is where the gRPC server listens: PORT, default 3550.
	GRPCAddr string
	// HTTPAddr is where the web pages and /healthz are served: HTTP_PORT, default 8080.
	HTTPAddr string
}

const (
	defaultGRPCPort = "3550"
	defaultHTTPPort = "8080"
)

// ConfigFromEnv reads PORT and HTTP_PORT through getenv (os.Getenv in main).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	grpcPort, err := port(getenv, "PORT", defaultGRPCPort)
	if err != nil {
		return Config{}, err
	}
	httpPort, err := port(getenv, "HTTP_PORT", defaultHTTPPort)
	if err != nil {
		return Config{}, err
	}
	if grpcPort == httpPort {
		return Config{}, fmt.Errorf("PORT and HTTP_PORT are both %s: give the web pages a port of their own", grpcPort)
	}
	return Config{GRPCAddr: net.JoinHostPort("", grpcPort), HTTPAddr: net.JoinHostPort("", httpPort)}, nil
}

func port(getenv func(string) string, name, fallback string) (string, error) {
	v := getenv(name)
	if v == "" {
		return fallback, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("%s=%q is not a port number: set it to 1-65535 or leave it unset for %s", name, v, fallback)
	}
	return v, nil
}
