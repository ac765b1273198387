/** A platform a Go tool is built for, whatever the host's own. */
export interface GoTarget {
  goos: string;
  goarch: string;
}

/** Node's names for the architectures Go builds for here. */
const GOARCH_OF_NODE: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

/** Whether this host runs binaries of `target` natively (emulation aside): only then is a built tool also run. */
export function hostRuns(target: GoTarget, host: { platform: string; arch: string } = process): boolean {
  return host.platform === target.goos && GOARCH_OF_NODE[host.arch] === target.goarch;
}

/**
 * Pinned so the bytes do not follow a host's GOAMD64/GOARM64 setting; the
 * values are Go's defaults, which the builds the images carry were made with.
 */
const MICROARCHITECTURE: Record<string, NodeJS.ProcessEnv> = { amd64: { GOAMD64: 'v1' }, arm64: { GOARM64: 'v8.0' } };

/**
 * What `go install` is given to build static for `target` on any host. GOBIN
 * is emptied because go refuses it for a cross build; the binary goes under
 * the build's own GOPATH instead, while GOMODCACHE keeps the shared module cache.
 */
export function goTargetEnv(target: GoTarget, gopath: string, modCache: string): NodeJS.ProcessEnv {
  return {
    GOPATH: gopath,
    GOMODCACHE: modCache,
    GOBIN: '',
    GOOS: target.goos,
    GOARCH: target.goarch,
    CGO_ENABLED: '0',
    ...MICROARCHITECTURE[target.goarch],
  };
}
