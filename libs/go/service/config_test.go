package service

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

type testConfig struct {
	Greeting string `json:"greeting"`
}

func parseTestConfig(data []byte) (testConfig, error) {
	var c testConfig
	if err := json.Unmarshal(data, &c); err != nil {
		return c, err
	}
	if c.Greeting == "" {
		return c, errors.New(`"greeting" is empty`)
	}
	return c, nil
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestConfigLoadsAndReloads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.json")
	writeFile(t, path, `{"greeting":"Hello"}`)
	c := Watch(path, parseTestConfig)
	if _, ok := c.Get(); ok {
		t.Fatal("Get before Load reported a value")
	}
	if err := c.Load(); err != nil {
		t.Fatal(err)
	}
	if v, ok := c.Get(); !ok || v.Greeting != "Hello" {
		t.Fatalf("Get = %+v, %v; want Hello, true", v, ok)
	}
	writeFile(t, path, `{"greeting":"Hi"}`)
	if err := c.Load(); err != nil {
		t.Fatal(err)
	}
	if v, _ := c.Get(); v.Greeting != "Hi" {
		t.Fatalf("after reload Get = %+v, want Hi", v)
	}
}

func TestConfigBadReloadKeepsLastGood(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.json")
	writeFile(t, path, `{"greeting":"Hello"}`)
	c := Watch(path, parseTestConfig)
	if err := c.Load(); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"not JSON":    `{"greeting":`,
		"parse fails": `{"greeting":""}`,
	} {
		writeFile(t, path, content)
		err := c.Load()
		if err == nil {
			t.Fatalf("%s: Load succeeded", name)
		}
		if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "invalid") {
			t.Errorf("%s: error %q should name the file and say it is invalid", name, err)
		}
		if v, ok := c.Get(); !ok || v.Greeting != "Hello" {
			t.Errorf("%s: Get = %+v, %v; want the last good Hello", name, v, ok)
		}
		if err := c.Ready(); err != nil {
			t.Errorf("%s: Ready = %v after a bad reload; want nil, a good config is loaded", name, err)
		}
	}
}

func TestConfigMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.json")
	c := Watch(path, parseTestConfig)
	if err := c.Ready(); err == nil || !strings.Contains(err.Error(), "not read yet") {
		t.Errorf("Ready before Load = %v, want not read yet", err)
	}
	err := c.Load()
	if err == nil || !strings.Contains(err.Error(), "does not exist") || !strings.Contains(err.Error(), path) {
		t.Fatalf("Load = %v, want an error naming %s as missing", err, path)
	}
	if err := c.Ready(); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Ready = %v, want not loaded, with the load error", err)
	}

	// A file removed after a good load keeps the good value.
	writeFile(t, path, `{"greeting":"Hello"}`)
	if err := c.Load(); err != nil {
		t.Fatal(err)
	}
	os.Remove(path)
	if err := c.Load(); err == nil {
		t.Fatal("Load of a removed file succeeded")
	}
	if v, _ := c.Get(); v.Greeting != "Hello" {
		t.Errorf("Get = %+v after the file went away, want Hello", v)
	}
}

// Readers never block on, or see half of, a reload (run with -race).
func TestConfigConcurrentReadsDuringReloads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.json")
	writeFile(t, path, `{"greeting":"A"}`)
	c := Watch(path, parseTestConfig)
	if err := c.Load(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if v, ok := c.Get(); !ok || (v.Greeting != "A" && v.Greeting != "B") {
					t.Errorf("Get = %+v, %v", v, ok)
					return
				}
			}
		})
	}
	for i := range 200 {
		writeFile(t, path, `{"greeting":"`+string(rune('A'+i%2))+`"}`)
		c.Load() // a write may be seen half done: a failed load keeps the last value
	}
	close(stop)
	wg.Wait()
}
