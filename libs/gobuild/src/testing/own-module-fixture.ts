/**
 * A service with a go.mod of its own, to lay beside the fixture workspace of
 * go-fixture.ts: apps/delta is module example.com/delta, imports
 * example.com/extlib through a replace directive pointing at the workspace's
 * libs/go/extlib, and declares `version` and `commit` (not `date`) for the
 * build to stamp. It prints what it was stamped with.
 */
export const OWN_MODULE_FIXTURE: Record<string, string> = {
  'apps/delta/go.mod': `module example.com/delta

go 1.26

require example.com/extlib v0.0.0-00010101000000-000000000000

replace example.com/extlib => ../../libs/go/extlib
`,
  'apps/delta/main.go': `package main

import (
	"fmt"

	"example.com/extlib"
)

var (
	version = "dev"
	commit  string
)

func main() { fmt.Println(extlib.Name(), version, commit) }
`,
  'apps/delta/main_test.go': `package main

import "testing"

func TestVersionHasADefault(t *testing.T) {
	if version == "" {
		t.Fatal("no version")
	}
}
`,
  'apps/delta/README.md': '# delta\n',
};
