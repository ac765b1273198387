// Command gateway is microbox's second sample service: GET /api/greet?name=X
// is sent to a healthy greeter replica, in turn, from the list that
// consul-template renders out of Consul's catalog. See README.md for its
// endpoints, environment, behaviour with no upstream and exit codes.
package main

import (
	"context"
	"os"

	"github.com/microbox/workspace/libs/go/buildinfo"
	"github.com/microbox/workspace/libs/go/service"
)

// defaultConfigPath is where consul-template renders
// consul/upstreams.json.ctmpl: under /run, the one place a read-only root
// leaves writable besides /tmp.
const defaultConfigPath = "/run/gateway/upstreams.json"

func main() {
	log := service.NewLogger("gateway")
	path := os.Getenv("GATEWAY_CONFIG")
	if path == "" {
		path = defaultConfigPath
	}
	a := &app{upstreams: service.Watch(path, parseUpstreams), proxy: newProxy(log)}
	// Each new list is logged and closes the idle connections to the old one.
	config := watchedUpstreams{Config: a.upstreams, onChange: func(ups upstreams) {
		a.proxy.upstreamsChanged()
		logUpstreams(log, ups)
	}}
	log.Info("starting", "version", buildinfo.String())
	os.Exit(service.Run(context.Background(), service.Options{Name: "gateway", Handler: a.routes(), Config: config, WriteTimeout: writeTimeout, Log: log}))
}
