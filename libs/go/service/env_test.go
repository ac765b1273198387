package service

import (
	"net"
	"strings"
	"testing"
	"time"
)

func TestParseConsulAddr(t *testing.T) {
	good := map[string]string{
		"":                       "http://127.0.0.1:8500",
		"127.0.0.1:8500":         "http://127.0.0.1:8500",
		"consul:8500":            "http://consul:8500",
		"http://10.0.0.5:18500":  "http://10.0.0.5:18500",
		"https://consul.example": "https://consul.example",
		"http://consul:8500/":    "http://consul:8500",
		" [::1]:8500 ":           "http://[::1]:8500",
	}
	for in, want := range good {
		u, err := ParseConsulAddr(in)
		if err != nil {
			t.Errorf("ParseConsulAddr(%q): %v", in, err)
			continue
		}
		if u.String() != want {
			t.Errorf("ParseConsulAddr(%q) = %s, want %s", in, u, want)
		}
	}
	for _, in := range []string{"unix:///tmp/consul.sock", "http://", "http://consul:99999", "http://consul:8500/v1", "http://u:p@consul:8500", ":8500"} {
		_, err := ParseConsulAddr(in)
		if err == nil {
			t.Errorf("ParseConsulAddr(%q) succeeded, want an error", in)
			continue
		}
		if !strings.Contains(err.Error(), "CONSUL_HTTP_ADDR=") || !strings.Contains(err.Error(), "host:port") {
			t.Errorf("ParseConsulAddr(%q) error %q should name the variable and the accepted forms", in, err)
		}
	}
}

func TestParsePortAndConfigWait(t *testing.T) {
	if p, err := parsePort(""); err != nil || p != 8080 {
		t.Errorf(`parsePort("") = %d, %v; want 8080`, p, err)
	}
	if p, err := parsePort("18080"); err != nil || p != 18080 {
		t.Errorf(`parsePort("18080") = %d, %v`, p, err)
	}
	for _, bad := range []string{"http", "0", "70000", "-1"} {
		if _, err := parsePort(bad); err == nil || !strings.Contains(err.Error(), "PORT=") {
			t.Errorf("parsePort(%q) = %v, want an error naming PORT", bad, err)
		}
	}
	waits := map[string]time.Duration{"": 30 * time.Second, "0": 0, "2s": 2 * time.Second, "1m": time.Minute}
	for in, want := range waits {
		if d, err := parseConfigWait(in); err != nil || d != want {
			t.Errorf("parseConfigWait(%q) = %s, %v; want %s", in, d, err, want)
		}
	}
	for _, bad := range []string{"5", "soon", "-1s"} {
		if _, err := parseConfigWait(bad); err == nil || !strings.Contains(err.Error(), "CONFIG_WAIT=") {
			t.Errorf("parseConfigWait(%q) = %v, want an error naming CONFIG_WAIT", bad, err)
		}
	}
}

func ipNet(s string) *net.IPNet {
	ip, n, _ := net.ParseCIDR(s)
	n.IP = ip
	return n
}

func TestPickAddress(t *testing.T) {
	addrs := []net.Addr{ipNet("127.0.0.1/8"), ipNet("::1/128"), ipNet("fe80::1/64"), ipNet("fd00::5/64"), ipNet("172.18.0.3/16")}
	if got, err := pickAddress(addrs); err != nil || got != "172.18.0.3" {
		t.Errorf("pickAddress = %q, %v; want the IPv4 172.18.0.3", got, err)
	}
	if got, err := pickAddress(addrs[:4]); err != nil || got != "fd00::5" {
		t.Errorf("pickAddress without IPv4 = %q, %v; want fd00::5", got, err)
	}
	if _, err := pickAddress(addrs[:3]); err == nil || !strings.Contains(err.Error(), "SERVICE_ADDRESS") {
		t.Errorf("pickAddress with loopback only = %v, want an error pointing at SERVICE_ADDRESS", err)
	}
}

func TestReadEnv(t *testing.T) {
	t.Setenv("PORT", "18080")
	t.Setenv("CONSUL_HTTP_ADDR", "127.0.0.1:18500")
	t.Setenv("CONSUL_HTTP_TOKEN", "")
	t.Setenv("SERVICE_ADDRESS", "10.1.2.3")
	t.Setenv("CONFIG_WAIT", "5s")
	e, err := ReadEnv()
	if err != nil {
		t.Fatal(err)
	}
	if e.Port != 18080 || e.Consul.String() != "http://127.0.0.1:18500" || e.Address != "10.1.2.3" || e.ConfigWait != 5*time.Second || e.Hostname == "" {
		t.Errorf("ReadEnv = %+v", e)
	}
	t.Setenv("SERVICE_ADDRESS", "greeter-1")
	if e, err := ReadEnv(); err != nil || e.Address != "greeter-1" {
		t.Errorf("ReadEnv with a host name as SERVICE_ADDRESS = %+v, %v; want it kept", e, err)
	}
	t.Setenv("SERVICE_ADDRESS", "http://greeter-1:8080")
	if _, err := ReadEnv(); err == nil || !strings.Contains(err.Error(), `SERVICE_ADDRESS="http://greeter-1:8080"`) {
		t.Errorf("ReadEnv with a URL as SERVICE_ADDRESS = %v, want an error naming it", err)
	}
}
