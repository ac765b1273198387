package main

import (
	"encoding/json"
	"errors"
	"strings"
)

// config is the file consul-template renders from consul/greeter.json.ctmpl.
type config struct {
	// Greeting starts every answer: "Hello" gives "Hello, X!".
	Greeting string `json:"greeting"`
}

func parseConfig(data []byte) (config, error) {
	var c config
	if err := json.Unmarshal(data, &c); err != nil {
		return c, err
	}
	c.Greeting = strings.TrimSpace(c.Greeting)
	if c.Greeting == "" {
		return c, errors.New(`"greeting" is missing or empty: set Consul KV greeter/greeting to a non-empty value, or delete the key for the default "Hello"`)
	}
	return c, nil
}
