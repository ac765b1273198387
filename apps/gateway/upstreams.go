package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"

	"github.com/microbox/workspace/libs/go/service"
)

// upstream is one greeter replica as Consul's catalog lists it.
type upstream struct {
	// ID is the replica's Consul service id, e.g. greeter-<hostname>-8080.
	ID      string `json:"id"`
	Address string `json:"address"`
	Port    int    `json:"port"`
	// hostPort is Address and Port joined, IPv6 addresses bracketed.
	hostPort string
}

func (u upstream) String() string { return u.ID + " at " + u.hostPort }

// upstreams is the file consul-template renders from
// consul/upstreams.json.ctmpl: the greeter replicas whose checks pass.
type upstreams struct {
	List []upstream
}

// parseUpstreams reads {"upstreams": [{"id": ..., "address": ..., "port": ...}]}.
// An empty list is valid (no replica is healthy); a missing list, an unknown
// field or a bad entry is not, so that a broken template keeps the last good
// list instead of emptying it.
func parseUpstreams(data []byte) (upstreams, error) {
	var file struct {
		Upstreams *[]upstream `json:"upstreams"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return upstreams{}, err
	}
	if file.Upstreams == nil {
		return upstreams{}, errors.New(`"upstreams" is missing or null: the template must render {"upstreams": [...]}, an empty list when no greeter is healthy`)
	}
	list := *file.Upstreams
	for i := range list {
		u := &list[i]
		if strings.TrimSpace(u.Address) == "" {
			return upstreams{}, fmt.Errorf("upstream %d (id %q) has no address: register greeter with an address others reach it at (SERVICE_ADDRESS)", i, u.ID)
		}
		if u.Port < 1 || u.Port > 65535 {
			return upstreams{}, fmt.Errorf("upstream %d (id %q) has port %d: want 1 to 65535", i, u.ID, u.Port)
		}
		u.hostPort = net.JoinHostPort(u.Address, strconv.Itoa(u.Port))
		if u.ID == "" {
			u.ID = u.hostPort
		}
	}
	return upstreams{List: list}, nil
}

// watchedUpstreams is the upstream file as service.Run loads it (at start
// and on each SIGHUP from consul-template), telling onChange of every list
// that loads.
type watchedUpstreams struct {
	*service.Config[upstreams]
	onChange func(upstreams)
}

func (w watchedUpstreams) Load() error {
	if err := w.Config.Load(); err != nil {
		return err
	}
	if ups, ok := w.Get(); ok {
		w.onChange(ups)
	}
	return nil
}

// logUpstreams says which replicas the gateway now routes to.
func logUpstreams(log *slog.Logger, ups upstreams) {
	names := make([]string, len(ups.List))
	for i, u := range ups.List {
		names[i] = u.String()
	}
	if len(names) == 0 {
		log.Warn("no healthy greeter upstream: /api/greet answers 503 until one passes its check")
		return
	}
	log.Info("upstreams loaded", "count", len(names), "upstreams", strings.Join(names, ", "))
}
