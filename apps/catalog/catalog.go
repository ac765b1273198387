package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
)

// Money is an amount in a currency: whole units plus nano units, the way
// prices travel between shop services.
type Money struct {
	CurrencyCode string `json:"currencyCode"`
	Units        int64  `json:"units"`
	Nanos        int32  `json:"nanos"`
}

// String formats the amount with two decimals, e.g. "12.50 USD".
func (m Money) String() string {
	return fmt.Sprintf("%d.%02d %s", m.Units, m.Nanos/10_000_000, m.CurrencyCode)
}

// Product is one entry of products.json.
type Product struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Picture     string   `json:"picture"`
	PriceUSD    Money    `json:"priceUsd"`
	Categories  []string `json:"categories"`
}

// Catalog is the product list, read once at start and never changed.
type Catalog struct {
	products []Product
	byID     map[string]int
}

// LoadCatalog reads the products file. A missing or malformed file, an
// empty list, a product without an id or a duplicate id is an error that
// names the file.
func LoadCatalog(path string) (*Catalog, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		wd, _ := os.Getwd()
		return nil, fmt.Errorf("%s not found in the working directory %s: the catalog reads its products from there", path, wd)
	}
	if err != nil {
		return nil, err
	}
	return ParseCatalog(path, data)
}

// ParseCatalog checks and indexes the products in data; name is used in errors.
func ParseCatalog(name string, data []byte) (*Catalog, error) {
	var doc struct {
		Products []Product `json:"products"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: not a products file: %v", name, err)
	}
	if len(doc.Products) == 0 {
		return nil, fmt.Errorf("%s: no products (want {\"products\": [...]})", name)
	}
	c := &Catalog{products: doc.Products, byID: make(map[string]int, len(doc.Products))}
	for i, p := range doc.Products {
		if p.ID == "" {
			return nil, fmt.Errorf("%s: product %d has no id", name, i+1)
		}
		if _, dup := c.byID[p.ID]; dup {
			return nil, fmt.Errorf("%s: product id %q appears twice", name, p.ID)
		}
		c.byID[p.ID] = i
	}
	return c, nil
}

// List returns every product, in file order.
func (c *Catalog) List() []Product {
	return slices.Clone(c.products)
}

// Get returns the product with the given id.
func (c *Catalog) Get(id string) (Product, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Product{}, false
	}
	return c.products[i], true
}

// Search returns the products whose name or description contains the query,
// ignoring case.
func (c *Catalog) Search(query string) []Product {
	q := strings.ToLower(strings.TrimSpace(query))
	var out []Product
	for _, p := range c.products {
		if strings.Contains(strings.ToLower(p.Name), q) || strings.Contains(strings.ToLower(p.Description), q) {
			out = append(out, p)
		}
	}
	return out
}
