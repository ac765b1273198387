import { describe, expect, it } from 'vitest';
import { isGoSourcePath, parseGoFileHeader } from './imports';

describe('parseGoFileHeader', () => {
  it('reads single, grouped, aliased, dot, blank and raw-string imports across several declarations', () => {
    const src = `// Copyright x
//go:build linux && !cgo

/* block
   comment import "not/this" */
package server // trailing

import "fmt"
import (
	"net/http"
	alias "example.com/a/b" // comment "nope"
	. "example.com/dot"
	_ "example.com/blank"; "example.com/semi"
	/* inline */ \`example.com/raw\`
)
import ( "example.com/one" )

func f() { _ = "import \\"example.com/not\\"" }
import "example.com/never" // not valid Go, and after a decl anyway
`;
    const h = parseGoFileHeader(src);
    expect(h.packageName).toBe('server');
    expect(h.buildConstraint).toBe('linux && !cgo');
    expect(h.cgo).toBe(false);
    expect(h.imports).toEqual([
      'fmt',
      'net/http',
      'example.com/a/b',
      'example.com/dot',
      'example.com/blank',
      'example.com/semi',
      'example.com/raw',
      'example.com/one',
    ]);
  });

  it('flags cgo files and keeps their other imports', () => {
    const h = parseGoFileHeader('package n\n\n// #include <stdio.h>\nimport "C"\nimport "unsafe"\n');
    expect(h).toMatchObject({ packageName: 'n', cgo: true, imports: ['unsafe'] });
  });

  it('gives nothing for a file without a package clause', () => {
    expect(parseGoFileHeader('// just a comment\n').imports).toEqual([]);
    expect(parseGoFileHeader('').packageName).toBeUndefined();
  });
});

describe('isGoSourcePath', () => {
  it('follows the go tool: no testdata, vendor, _ or . folders', () => {
    expect(isGoSourcePath('apps/a/main.go')).toBe(true);
    expect(isGoSourcePath('apps/a/main_test.go')).toBe(true);
    expect(isGoSourcePath('apps/a/testdata/x.go')).toBe(false);
    expect(isGoSourcePath('apps/a/_old/x.go')).toBe(false);
    expect(isGoSourcePath('apps/a/.hidden/x.go')).toBe(false);
    expect(isGoSourcePath('vendor/x/y.go')).toBe(false);
    expect(isGoSourcePath('apps/a/main.ts')).toBe(false);
  });
});
