import { describe, expect, it } from 'vitest';
import { declaredStringVars } from './stamp-vars';

describe('declaredStringVars', () => {
  it('finds package-level string variables, single and grouped, typed or given string literals', () => {
    expect(
      declaredStringVars(`package main

import "fmt"

// version is set by the release build.
var version = "dev"

var (
	commit string // set with -X
	date, builtBy = "unknown", \`raw\`
	count = 3
	name string = "x"; other = "y"
	parts = []string{
		"a",
	}
	_ = "blank"
)

var handler = func() string { var inner = "no"; return inner }
var typed fmt.Stringer

func main() {
	var local = "not package-level"
	_ = local
}
`),
    ).toEqual(['version', 'commit', 'date', 'builtBy', 'name', 'other']);
  });

  it('ignores a var in a comment or string, and a value that is not a literal', () => {
    expect(declaredStringVars('package main\n\n/* var version = "x" */\nconst s = "var commit = \\"y\\""\nvar date = s\nvar version = "a" + "b"\n')).toEqual([]);
  });
});
