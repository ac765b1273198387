package main

import (
	"os"
	"strings"
	"testing"
)

func TestLoadCatalogReadsTheShippedProducts(t *testing.T) {
	c, err := LoadCatalog("products.json")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.List()); n != 4 {
		t.Fatalf("want 4 products, got %d", n)
	}
	p, ok := c.Get("MUG-0002")
	if !ok || p.Name != "Stoneware mug" || p.PriceUSD.String() != "18.00 USD" {
		t.Fatalf("MUG-0002: got %+v, %v", p, ok)
	}
	if _, ok := c.Get("nope"); ok {
		t.Fatal("an unknown id was found")
	}
}

func TestLoadCatalogNamesAMissingFileAndTheWorkingDirectory(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	_, err := LoadCatalog("products.json")
	if err == nil || !strings.Contains(err.Error(), "products.json not found in the working directory "+dir) {
		t.Fatalf("got %v", err)
	}
}

func TestParseCatalogRefusesBadFiles(t *testing.T) {
	for input, want := range map[string]string{
		`not json`:                              "x.json: not a products file",
		`{"products": []}`:                      "x.json: no products",
		`{"products": [{"name": "a"}]}`:         "x.json: product 1 has no id",
		`{"products": [{"id":"a"},{"id":"a"}]}`: `x.json: product id "a" appears twice`,
	} {
		if _, err := ParseCatalog("x.json", []byte(input)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: want %q, got %v", input, want, err)
		}
	}
}

func TestSearchMatchesNameAndDescriptionIgnoringCase(t *testing.T) {
	c, err := LoadCatalog("products.json")
	if err != nil {
		t.Fatal(err)
	}
	ids := func(ps []Product) string {
		var s []string
		for _, p := range ps {
			s = append(s, p.ID)
		}
		return strings.Join(s, ",")
	}
	if got := ids(c.Search("TEA")); got != "TEA-0001" {
		t.Errorf("TEA: got %s", got)
	}
	if got := ids(c.Search("  steel ")); got != "KET-0003" {
		t.Errorf("steel: got %s", got)
	}
	if got := ids(c.Search("zebra")); got != "" {
		t.Errorf("zebra: got %s", got)
	}
}

func TestMoneyString(t *testing.T) {
	for m, want := range map[Money]string{
		{CurrencyCode: "USD", Units: 12, Nanos: 500_000_000}: "12.50 USD",
		{CurrencyCode: "EUR", Units: 0, Nanos: 990_000_000}:  "0.99 EUR",
		{CurrencyCode: "USD", Units: 3}:                      "3.00 USD",
	} {
		if got := m.String(); got != want {
			t.Errorf("%+v: got %s, want %s", m, got, want)
		}
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	cfg, err := ConfigFromEnv(env(nil))
	if err != nil || cfg.GRPCAddr != ":3550" || cfg.HTTPAddr != ":8080" {
		t.Fatalf("defaults: %+v %v", cfg, err)
	}
	cfg, err = ConfigFromEnv(env(map[string]string{"PORT": "50051", "HTTP_PORT": "9090"}))
	if err != nil || cfg.GRPCAddr != ":50051" || cfg.HTTPAddr != ":9090" {
		t.Fatalf("overrides: %+v %v", cfg, err)
	}
	for kv, want := range map[[2]string]string{
		{"PORT", "abc"}:       `PORT="abc" is not a port number`,
		{"HTTP_PORT", "0"}:    `HTTP_PORT="0" is not a port number`,
		{"HTTP_PORT", "3550"}: "PORT and HTTP_PORT are both 3550",
	} {
		if _, err := ConfigFromEnv(env(map[string]string{kv[0]: kv[1]})); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s=%s: want %q, got %v", kv[0], kv[1], want, err)
		}
	}
}

func TestNewServerNamesEachMissingFile(t *testing.T) {
	products, err := os.ReadFile("products.json")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	steps := []struct {
		want string
		add  func()
	}{
		{"products.json not found", func() { os.WriteFile("products.json", products, 0o644) }},
		{"no HTML templates match templates/*.html", func() { os.Mkdir("templates", 0o755); os.WriteFile("templates/home.html", []byte("x"), 0o644) }},
		{"no static/ folder", func() { os.Mkdir("static", 0o755) }},
	}
	for _, step := range steps {
		if _, err := NewServer(discard()); err == nil || !strings.Contains(err.Error(), step.want) {
			t.Fatalf("want %q, got %v", step.want, err)
		}
		step.add()
	}
	if _, err := NewServer(discard()); err != nil {
		t.Fatal(err)
	}
}
