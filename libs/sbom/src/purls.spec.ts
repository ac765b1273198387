import { describe, expect, it } from 'vitest';
import { debPurl, golangPurl, ociPurl } from './purls';

describe('purls', () => {
  it('names a Debian package by name, version (epoch kept) and the .deb architecture', () => {
    expect(debPurl('busybox', '1:1.35.0-4+deb12u1+b1', 'amd64')).toBe('pkg:deb/debian/busybox@1:1.35.0-4+deb12u1+b1?arch=amd64');
    expect(debPurl('ca-certificates', '20250419~deb12u2', 'all')).toBe('pkg:deb/debian/ca-certificates@20250419~deb12u2?arch=all');
  });

  it('names a Go module by path and version, a package inside it as the subpath, a (devel) module without version', () => {
    expect(golangPurl('github.com/hashicorp/consul/api', 'v1.32.1')).toBe('pkg:golang/github.com/hashicorp/consul/api@v1.32.1');
    expect(golangPurl('github.com/hashicorp/consul-template', 'v0.42.1', 'github.com/hashicorp/consul-template')).toBe('pkg:golang/github.com/hashicorp/consul-template@v0.42.1');
    expect(golangPurl('github.com/microbox/workspace', '6fc48c7ff67a', 'github.com/microbox/workspace/apps/greeter')).toBe('pkg:golang/github.com/microbox/workspace@6fc48c7ff67a#apps/greeter');
    expect(golangPurl('github.com/microbox/workspace', '(devel)')).toBe('pkg:golang/github.com/microbox/workspace');
    expect(golangPurl('stdlib', '1.26.8')).toBe('pkg:golang/stdlib@1.26.8');
  });

  it('names an image by the last part of its repository, its manifest digest and architecture', () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    expect(ociPurl('microbox/basebox', digest, 'amd64')).toBe(`pkg:oci/basebox@${digest}?arch=amd64`);
    expect(ociPurl('Greeter', digest, 'arm64')).toBe(`pkg:oci/greeter@${digest}?arch=arm64`);
  });
});
