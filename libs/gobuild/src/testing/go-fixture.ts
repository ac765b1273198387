import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The module path of the fixture workspace. */
export const FIXTURE_MODULE = 'example.com/fixture';

/**
 * A small Go workspace laid out like microbox's, for tests:
 * - apps/alpha: imports libs/go/shared and libs/go/buildinfo; its nested
 *   package internal/handler imports libs/go/shared/nested/deep.
 * - apps/beta: imports libs/go/shared and example.com/extlib, a separate
 *   module in libs/go/extlib that go.mod brings in by a replace directive.
 * - apps/gamma: imports nothing of ours.
 * - libs/go/native: a package that needs cgo (a file with import "C" and
 *   nothing else), and apps/cgoapp that imports it (only with `withCgo`).
 * Plus READMEs, a testdata folder and a `//go:build ignore` file, which the
 * graph and the build must not be fooled by.
 */
export const GO_FIXTURE: Record<string, string> = {
  'go.mod': `module ${FIXTURE_MODULE}

go 1.26

require example.com/extlib v0.0.0-00010101000000-000000000000

replace example.com/extlib => ./libs/go/extlib
`,
  'libs/go/buildinfo/buildinfo.go': `package buildinfo

var (
	Version    = "dev"
	Commit     = "unknown"
	CommitTime = ""
)
`,
  'libs/go/shared/shared.go': `// Package shared is used by alpha and beta.
package shared

import (
	"fmt"
	"strings"
)

// Greeting says hello.
func Greeting(name string) string { return fmt.Sprintf("hello, %s", strings.TrimSpace(name)) }
`,
  'libs/go/shared/shared_test.go': `package shared

import "testing"

func TestGreeting(t *testing.T) {
	if got := Greeting(" x "); got != "hello, x" {
		t.Fatalf("got %q", got)
	}
}
`,
  'libs/go/shared/README.md': '# shared\n',
  'libs/go/shared/nested/deep/deep.go': `package deep

// Answer is deep.
const Answer = 42
`,
  'libs/go/shared/testdata/ignored.go': `package ignored

import _ "${FIXTURE_MODULE}/apps/gamma"
`,
  'libs/go/extlib/go.mod': `module example.com/extlib

go 1.26
`,
  'libs/go/extlib/extlib.go': `package extlib

// Name comes from a module brought in by a replace directive.
func Name() string { return "extlib" }
`,
  'apps/alpha/main.go': `package main

import (
	"fmt"

	"${FIXTURE_MODULE}/apps/alpha/internal/handler"
	"${FIXTURE_MODULE}/libs/go/buildinfo"
	"${FIXTURE_MODULE}/libs/go/shared"
)

func main() {
	fmt.Println(shared.Greeting("alpha"), handler.Answer(), buildinfo.Version, buildinfo.Commit, buildinfo.CommitTime)
}
`,
  'apps/alpha/internal/handler/handler.go': `package handler

import "${FIXTURE_MODULE}/libs/go/shared/nested/deep"

// Answer comes from a nested package of another project.
func Answer() int { return deep.Answer }
`,
  'apps/alpha/README.md': '# alpha\n',
  'apps/alpha/gen.go': `//go:build ignore

package main

import _ "${FIXTURE_MODULE}/apps/gamma"
`,
  'apps/beta/main.go': `package main

import (
	"fmt"

	"example.com/extlib"
	shared2 "${FIXTURE_MODULE}/libs/go/shared"
)

func main() { fmt.Println(shared2.Greeting("beta"), extlib.Name()) }
`,
  'apps/beta/main_test.go': `package main

import "testing"

func TestNothing(t *testing.T) {}
`,
  'apps/gamma/main.go': `package main

import "os"

func main() { os.Exit(0) }
`,
  'README.md': '# fixture\n',
};

/** A service that needs cgo: it cannot build with CGO_ENABLED=0, and with cgo it links libc dynamically. */
export const CGO_FIXTURE: Record<string, string> = {
  'libs/go/native/native.go': `// Package native calls C, so it needs cgo.
package native

// #include <stdlib.h>
// static int twice(int x) { return 2 * x; }
import "C"

// Twice doubles in C.
func Twice(x int) int { return int(C.twice(C.int(x))) }

// Random needs libc at run time.
func Random() int { return int(C.rand()) }
`,
  'apps/cgoapp/main.go': `package main

import (
	"fmt"

	"${FIXTURE_MODULE}/libs/go/native"
)

func main() { fmt.Println(native.Twice(21), native.Random()) }
`,
};

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

/** Writes the fixture workspace (and, with `withCgo`, the cgo service) into `root`. */
export function writeGoFixture(root: string, opts: { withCgo?: boolean } = {}): void {
  writeFiles(root, GO_FIXTURE);
  if (opts.withCgo) writeFiles(root, CGO_FIXTURE);
}
