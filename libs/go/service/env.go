package service

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Env is what the run-time contract passes a service through its
// environment.
type Env struct {
	// Port is where the service listens: PORT, default 8080.
	Port int
	// Consul is the agent's HTTP API: CONSUL_HTTP_ADDR (consul-template's
	// own variable), default http://127.0.0.1:8500 as for Consul's clients.
	Consul *url.URL
	// ConsulToken is CONSUL_HTTP_TOKEN, sent as X-Consul-Token when set.
	ConsulToken string
	// Address is the address Consul and other services reach this instance
	// at: SERVICE_ADDRESS (an IP or a host name), else the first non-loopback
	// IP of this host (in a container, its address on the Docker network).
	Address string
	// Hostname names this replica in its Consul service id (in a container,
	// the container id).
	Hostname string
	// ConfigWait is how long the service waits at start for a valid config
	// before it gives up with ExitConfig: CONFIG_WAIT, a Go duration, default
	// 30s; 0 waits for ever.
	ConfigWait time.Duration
}

const (
	defaultPort       = 8080
	defaultConsul     = "http://127.0.0.1:8500"
	defaultConfigWait = 30 * time.Second
)

// ReadEnv reads Env from the process environment. Its errors name the bad
// variable, its value and what would be accepted.
func ReadEnv() (Env, error) {
	e := Env{ConsulToken: os.Getenv("CONSUL_HTTP_TOKEN")}
	var err error
	if e.Port, err = parsePort(os.Getenv("PORT")); err != nil {
		return e, err
	}
	if e.Consul, err = ParseConsulAddr(os.Getenv("CONSUL_HTTP_ADDR")); err != nil {
		return e, err
	}
	if e.ConfigWait, err = parseConfigWait(os.Getenv("CONFIG_WAIT")); err != nil {
		return e, err
	}
	if e.Address = strings.TrimSpace(os.Getenv("SERVICE_ADDRESS")); e.Address != "" {
		if net.ParseIP(e.Address) == nil && !isHostName(e.Address) {
			return e, fmt.Errorf("SERVICE_ADDRESS=%q is neither an IP address nor a host name: set it to the IP or name other containers reach this one at (no scheme, no port), or unset it to use this host's first non-loopback IP", e.Address)
		}
	} else {
		addrs, err := net.InterfaceAddrs()
		if err != nil {
			return e, fmt.Errorf("listing this host's addresses to advertise in Consul: %w (set SERVICE_ADDRESS instead)", err)
		}
		if e.Address, err = pickAddress(addrs); err != nil {
			return e, err
		}
	}
	if e.Hostname, err = os.Hostname(); err != nil {
		return e, fmt.Errorf("reading the hostname for the Consul service id: %w", err)
	}
	return e, nil
}

func parsePort(s string) (int, error) {
	if s == "" {
		return defaultPort, nil
	}
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("PORT=%q is not a TCP port: set it to a number from 1 to 65535, or unset it for %d", s, defaultPort)
	}
	return p, nil
}

func parseConfigWait(s string) (time.Duration, error) {
	if s == "" {
		return defaultConfigWait, nil
	}
	if s == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("CONFIG_WAIT=%q is not a duration: set it like 30s or 2m (0 waits for ever), or unset it for %s", s, defaultConfigWait)
	}
	return d, nil
}

// ParseConsulAddr reads CONSUL_HTTP_ADDR the way Consul's own clients and
// consul-template do: `host:port`, or a URL `http://host:port` or
// `https://host:port`. Empty means http://127.0.0.1:8500.
func ParseConsulAddr(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		s = defaultConsul
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	bad := func(why string) error {
		return fmt.Errorf("CONSUL_HTTP_ADDR=%q %s: set it to host:port or http://host:port, e.g. 127.0.0.1:8500", s, why)
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, bad("is not an address")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, bad("has scheme " + u.Scheme + ", not http or https")
	case u.Hostname() == "":
		return nil, bad("has no host")
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.User != nil:
		return nil, bad("has more than a scheme, host and port")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, bad("has a bad port")
		}
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// isHostName reports whether s looks like a DNS name: letters, digits,
// hyphens and dots.
func isHostName(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return s != ""
}

// pickAddress returns the first global-unicast IPv4 address, else the first
// such IPv6 one: the address other containers on a Docker network reach this
// one at.
func pickAddress(addrs []net.Addr) (string, error) {
	var v6 string
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok || !n.IP.IsGlobalUnicast() {
			continue
		}
		if n.IP.To4() != nil {
			return n.IP.String(), nil
		}
		if v6 == "" {
			v6 = n.IP.String()
		}
	}
	if v6 != "" {
		return v6, nil
	}
	return "", fmt.Errorf("this host has no non-loopback IP address to advertise in Consul: set SERVICE_ADDRESS to the IP others reach this service at")
}
