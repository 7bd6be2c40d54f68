#!/usr/bin/env bash
# Builds the Helm CLIs the differential rollback tests compare our rollback with, from their Go modules, into
# the same cache as the test cluster's binaries, and the strategic merge oracle (strategic-merge-oracle/,
# Kubernetes' own three-way strategic merge) the merge is checked against. A second run with the same
# versions does nothing.
#
#   Helm 4 (HELM4_VERSION, default v4.2.4: the Helm library of helm-controller v1.6.x, Flux 2.9) writes
#     Helm 4 records (apply_method, server-side apply by default).
#   Helm 3 (HELM3_VERSION, default v3.19.0: the Helm library of helm-controller v1.4.x, Flux 2.7) writes
#     Helm 3 records (no apply_method, empty times as "", client-side three-way merge).
#
# Prints KEY=value lines: HELM4, HELM3 and SMP_ORACLE (paths of the binaries).
set -euo pipefail

HELM4_VERSION="${HELM4_VERSION:-v4.2.4}"
HELM3_VERSION="${HELM3_VERSION:-v3.19.0}"
# The apimachinery of the test cluster's kube-apiserver (v1.34), which applies strategic merge patches.
K8S_MODULES_VERSION="${K8S_MODULES_VERSION:-v0.34.4}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${FLUX_OPS_MCP_CACHE:-$HOME/.cache/flux-ops-mcp}"
BIN="$CACHE/bin/helm"

# Test files that need the binaries may start in parallel: one build at a time.
mkdir -p "$CACHE"
exec 9>"$CACHE/build-helm.lock"
flock 9

build_helm() { # <major> <version> <output>
  local major="$1" version="$2" out="$3" work="$CACHE/build/helm-$1"
  [ -x "$out" ] && return
  echo "building helm $version (several minutes, once)" >&2
  rm -rf "$work" && mkdir -p "$work" "$(dirname "$out")"
  (
    cd "$work"
    go mod init flux-ops-mcp-helm >/dev/null 2>&1
    go get "helm.sh/helm/$major/cmd/helm@$version" 2>&1 | grep -v '^go: \(downloading\|added\|upgraded\)' >&2 || true
    CGO_ENABLED=0 go build -trimpath \
      -ldflags="-s -w -X helm.sh/helm/$major/internal/version.version=$version" \
      -o "$out.tmp" "helm.sh/helm/$major/cmd/helm"
    mv "$out.tmp" "$out"
  )
}

build_oracle() { # <output>
  local out="$1" work="$CACHE/build/strategic-merge-oracle"
  [ -x "$out" ] && return
  echo "building the strategic merge oracle (k8s.io/apimachinery $K8S_MODULES_VERSION, a minute, once)" >&2
  rm -rf "$work" && mkdir -p "$work" "$(dirname "$out")"
  cp "$HERE/strategic-merge-oracle/main.go" "$work/"
  (
    cd "$work"
    go mod init flux-ops-mcp-smp >/dev/null 2>&1
    go get "k8s.io/api/apps/v1@$K8S_MODULES_VERSION" "k8s.io/apimachinery/pkg/util/strategicpatch@$K8S_MODULES_VERSION" 2>&1 |
      grep -v '^go: \(downloading\|added\|upgraded\)' >&2 || true
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$out.tmp" .
    mv "$out.tmp" "$out"
  )
}

build_helm v4 "$HELM4_VERSION" "$BIN/helm-$HELM4_VERSION"
build_helm v3 "$HELM3_VERSION" "$BIN/helm-$HELM3_VERSION"
build_oracle "$BIN/strategic-merge-oracle-$K8S_MODULES_VERSION"

echo "HELM4=$BIN/helm-$HELM4_VERSION"
echo "HELM3=$BIN/helm-$HELM3_VERSION"
echo "SMP_ORACLE=$BIN/strategic-merge-oracle-$K8S_MODULES_VERSION"
