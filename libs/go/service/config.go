package service

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
)

// Config is a config file that is parsed into a T, loaded at start and loaded
// again on every reload. Requests read the current value through Get, an
// atomic load, so a reload never blocks or drops a request in flight: those
// that started before it finish with the value they read.
type Config[T any] struct {
	path  string
	parse func([]byte) (T, error)

	// mu serializes loads, so that a slow load of an old file can never
	// overwrite the value of a newer one.
	mu      sync.Mutex
	current atomic.Pointer[T]
	lastErr atomic.Pointer[error]
}

// Watch returns a Config for the file at path, parsed by parse. Nothing is
// read yet: call Load (Run does, at start and on SIGHUP).
func Watch[T any](path string, parse func([]byte) (T, error)) *Config[T] {
	return &Config[T]{path: path, parse: parse}
}

// Path is the file the config is read from.
func (c *Config[T]) Path() string { return c.path }

// Load reads and parses the file. On success the new value replaces the
// current one; on failure the current value, if any, stays in use and the
// error says which file failed and why.
func (c *Config[T]) Load() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, err := c.read()
	if err != nil {
		c.lastErr.Store(&err)
		return err
	}
	c.current.Store(&v)
	c.lastErr.Store(nil)
	return nil
}

func (c *Config[T]) read() (T, error) {
	var zero T
	data, err := os.ReadFile(c.path)
	if errors.Is(err, os.ErrNotExist) {
		return zero, fmt.Errorf("config file %s does not exist (yet): consul-template renders it; check that it runs and that its destination is this path", c.path)
	}
	if err != nil {
		return zero, fmt.Errorf("config file %s: %w", c.path, err)
	}
	v, err := c.parse(data)
	if err != nil {
		return zero, fmt.Errorf("config file %s is invalid: %w", c.path, err)
	}
	return v, nil
}

// Get returns the current value, and false if no load has succeeded yet.
func (c *Config[T]) Get() (T, bool) {
	p := c.current.Load()
	if p == nil {
		var zero T
		return zero, false
	}
	return *p, true
}

// Ready is nil once a config has been loaded, and otherwise says why not:
// the form Healthz takes its checks in.
func (c *Config[T]) Ready() error {
	if c.current.Load() != nil {
		return nil
	}
	if p := c.lastErr.Load(); p != nil {
		return fmt.Errorf("config not loaded yet: %w", *p)
	}
	return fmt.Errorf("config not loaded yet: %s not read yet", c.path)
}
