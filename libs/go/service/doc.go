// Package service holds what every microbox Go service needs to keep the
// run-time contract of its image (the workspace README, "The images"):
//
//   - a config file rendered by consul-template, loaded at start and reloaded
//     on SIGHUP, where a bad reload keeps the last good config (Config);
//   - GET /healthz, 200 once the config is loaded and 503 before (Healthz);
//   - registration in Consul's agent through its HTTP API, retried in the
//     background while Consul is away and undone on stop (Registrar), with a
//     check that only this replica passes, not a newcomer at its address;
//   - graceful shutdown on SIGTERM or SIGINT, or when Run's context ends,
//     bounded so `docker stop` ends well inside the 2 s the contract allows
//     (Run).
//
// It uses the standard library only.
package service
