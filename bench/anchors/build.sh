#!/usr/bin/env bash
# Builds the Flux Operator MCP server (the peer the anchors bench compares with) from its Go module, once.
# The binary lands in a cache outside the repository and is never rebuilt while it is there. Prints
# FLUX_OPERATOR_MCP=path on stdout, progress on stderr. Not part of npm test: the build takes minutes and
# 1-2 GB of RAM.
#
# The module's go.mod asks for a newer Go than the one on PATH; GOTOOLCHAIN makes the go command fetch that
# toolchain from the module proxy for this build only.
set -euo pipefail

CACHE="${FLUX_OPS_MCP_CACHE:-$HOME/.cache/flux-ops-mcp}"
MODULE="github.com/controlplaneio-fluxcd/flux-operator"
VERSION="v0.59.0"
TOOLCHAIN="go1.27.3"
OUT="$CACHE/bin/flux-operator-mcp-$VERSION"

if [ -x "$OUT" ]; then
  echo "FLUX_OPERATOR_MCP=$OUT"
  exit 0
fi

started=$(date +%s)
echo "building flux-operator-mcp $VERSION from $MODULE/cmd/mcp (several minutes, once)" >&2
mkdir -p "$CACHE/bin" "$CACHE/build"
export GOTOOLCHAIN="$TOOLCHAIN"
# `go mod download` needs a module-less working directory; the cache root is one.
dir="$(cd "$CACHE" && go mod download -json "$MODULE@$VERSION" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')"
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
  echo "cannot download $MODULE@$VERSION" >&2
  exit 1
fi
# Built from a copy: the module cache is read-only, and the module's own replace lines must apply, which a
# `go install module/cmd/mcp@version` would refuse.
work="$CACHE/build/flux-operator-$VERSION"
rm -rf "$work" && cp -r "$dir" "$work" && chmod -R u+w "$work"
(
  cd "$work"
  CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$OUT.tmp" ./cmd/mcp 2>&1 | { grep -v '^go: downloading' || true; } >&2
)
mv "$OUT.tmp" "$OUT"
rm -rf "$work"
took=$(($(date +%s) - started))
printf 'flux-operator-mcp %s: done in %dm%02ds\n' "$VERSION" $((took / 60)) $((took % 60)) >&2
echo "FLUX_OPERATOR_MCP=$OUT"
