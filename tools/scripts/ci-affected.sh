#!/usr/bin/env bash
# The CI steps, the same locally as in .github/workflows/ci.yml: images and
# tests of what changed between a base and a head commit, and, with --push,
# a push of the affected images to MICROBOX_REGISTRY.
#
#   tools/scripts/ci-affected.sh [--push] [base [head]]
#
# base defaults to NX_BASE, else the merge base of HEAD and origin/main (or
# main); head to NX_HEAD, else the working tree (uncommitted changes count).
set -euo pipefail
cd "$(dirname "$0")/../.."

push=false
if [[ "${1:-}" == "--push" ]]; then push=true; shift; fi
base="${1:-${NX_BASE:-}}"
head="${2:-${NX_HEAD:-}}"
if [[ -z "$base" ]]; then
  base="$(git merge-base HEAD origin/main 2>/dev/null || git merge-base HEAD main 2>/dev/null || true)"
fi
if [[ -z "$base" ]] || ! git rev-parse --verify --quiet "$base^{commit}" >/dev/null; then
  echo "ci-affected: base \"$base\" is not a commit here: pass one (tools/scripts/ci-affected.sh <base> [head]) or set NX_BASE; with a shallow clone, fetch more history (git fetch --unshallow)" >&2
  exit 2
fi
if $push && [[ -z "${MICROBOX_REGISTRY:-}" ]]; then
  echo "ci-affected: --push needs MICROBOX_REGISTRY=host[:port][/namespace] (or drop --push)" >&2
  exit 2
fi

export NX_DAEMON=false NX_TUI=false NX_NO_CLOUD=true
range=(--base="$base" ${head:+--head="$head"} --outputStyle=static)

step() {
  local name="$1"; shift
  echo
  echo "== $name: $*"
  local started=$SECONDS
  "$@"
  echo "== $name: done in $((SECONDS - started)) s"
}

echo "ci-affected: from $(git rev-parse --short "$base") to ${head:-the working tree}; affected: $(npx nx show projects --affected --base="$base" ${head:+--head="$head"} | tr '\n' ' ')"
step bootstrap node tools/scripts/bootstrap.mjs
step typecheck npx tsc -p tsconfig.json --noEmit
step images npx nx affected -t image "${range[@]}"
step tests npx nx affected -t test go-test go-vet "${range[@]}"
# Real Docker and Consul: one project at a time.
step e2e npx nx affected -t e2e --parallel=1 "${range[@]}"
if $push; then
  step push npx nx affected -t push "${range[@]}"
fi
