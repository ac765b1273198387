// Command greeter is microbox's sample service: GET /greet?name=X answers
// with the greeting consul-template renders from Consul KV greeter/greeting.
// See README.md for its endpoints, environment and exit codes.
package main

import (
	"context"
	"os"

	"github.com/microbox/workspace/libs/go/buildinfo"
	"github.com/microbox/workspace/libs/go/service"
)

// defaultConfigPath is where consul-template renders consul/greeter.json.ctmpl.
// It is under /run because an image run with a read-only root has only its
// tmpfs /run and /tmp to write in.
const defaultConfigPath = "/run/greeter/greeter.json"

func main() {
	log := service.NewLogger("greeter")
	path := os.Getenv("GREETER_CONFIG")
	if path == "" {
		path = defaultConfigPath
	}
	instance, _ := os.Hostname()
	a := &app{cfg: service.Watch(path, parseConfig), instance: instance}
	log.Info("starting", "version", buildinfo.String())
	os.Exit(service.Run(context.Background(), service.Options{Name: "greeter", Handler: a.routes(), Config: a.cfg, Ready: a.ready, Log: log}))
}
