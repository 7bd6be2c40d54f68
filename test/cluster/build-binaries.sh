#!/usr/bin/env bash
# Builds the test cluster's kube-apiserver and etcd from Go modules and fetches the Flux CRDs from the
# controllers' Go modules: one CRD set per supported Flux release (the oldest and the newest), each in its
# own directory. Everything lands in a cache outside the repository and is reused: a second run with the
# same versions does nothing.
#
# Prints KEY=value lines: KUBE_APISERVER, ETCD, and for each Flux release <m> (2_7, 2_9) FLUX_CRDS_<m> (the
# CRD directory) and FLUX_RELEASE_<m> (the release a `flux install` of those CRDs would write in the
# app.kubernetes.io/version label). FLUX_CRDS and FLUX_RELEASE name the set FLUX_OPS_MCP_FLUX selects
# (2.7 or 2.9, default the newest).
#
# Arguments name the extra components to build for clusters that run Pods (test/cluster/pods.ts):
#   kwok                     kwok (sigs.k8s.io/kwok): simulated nodes and Pod lifecycles, container logs
#                            from files; prints KWOK and KWOK_CRDS (its CustomResourceDefinitions)
#   kube-controller-manager  from k8s.io/kubernetes, same version and recipe as kube-apiserver
#   kube-scheduler           likewise; they print KUBE_CONTROLLER_MANAGER and KUBE_SCHEDULER
# Each is built once and cached beside the others; a cached kube-apiserver is never rebuilt for them.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.34.4}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.5}"
CACHE="${FLUX_OPS_MCP_CACHE:-$HOME/.cache/flux-ops-mcp}"
BIN="$CACHE/bin/k8s-$K8S_VERSION-etcd-$ETCD_VERSION-r2"
KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"
KWOK_BIN="$CACHE/bin/kwok-$KWOK_VERSION"
FLUX_SETS=(2.7 2.9)
SELECTED="${FLUX_OPS_MCP_FLUX:-${FLUX_SETS[-1]}}"

# Flux 2.7 (flux2@v2.7.x manifests/bases; labelled as v2.7.5, the newest 2.7 release the module proxy serves).
# Where the module proxy does not serve the 2.7 tag of a controller, the nearest served release with the same
# API versions is used (except notification-controller: no v1.7.x is served, and v1.6.0 still serves the
# v1beta1 APIs Flux 2.7 removed); the Flux Operator's CRDs come from its module zip (its go.mod needs a newer
# Go, so only the zip is read, nothing is built).
CRDS_2_7="$CACHE/crds/flux-2.7-r2"
RELEASE_2_7=v2.7.5
MODULES_2_7=(
  github.com/fluxcd/source-controller@v1.7.0
  github.com/fluxcd/kustomize-controller@v1.7.3
  github.com/fluxcd/helm-controller@v1.4.3
  github.com/fluxcd/notification-controller@v1.6.0
  github.com/fluxcd/image-reflector-controller@v1.1.1
  github.com/fluxcd/image-automation-controller@v1.1.2
  github.com/fluxcd/source-watcher/v2@v2.2.2
  github.com/controlplaneio-fluxcd/flux-operator@v0.59.0
)

# Flux 2.9.5 (flux2@v2.9.5 manifests/crds: source and kustomize v1.9.5, helm v1.6.4, notification v1.9.4,
# image-reflector and image-automation v1.2.5, source-watcher v2.2.4). The proxy does not serve notification
# v1.9.4, image-* v1.2.5 nor source-watcher v2.2.4: their nearest served releases of the 2.9 line (same API
# versions) stand in.
CRDS_2_9="$CACHE/crds/flux-2.9.5-r1"
RELEASE_2_9=v2.9.5
MODULES_2_9=(
  github.com/fluxcd/source-controller@v1.9.5
  github.com/fluxcd/kustomize-controller@v1.9.5
  github.com/fluxcd/helm-controller@v1.6.4
  github.com/fluxcd/notification-controller@v1.9.3
  github.com/fluxcd/image-reflector-controller@v1.2.4
  github.com/fluxcd/image-automation-controller@v1.2.4
  github.com/fluxcd/source-watcher/v2@v2.2.2
  github.com/controlplaneio-fluxcd/flux-operator@v0.59.0
)

case " ${FLUX_SETS[*]} " in
  *" $SELECTED "*) ;;
  *) echo "FLUX_OPS_MCP_FLUX=$SELECTED: no such CRD set (known: ${FLUX_SETS[*]})" >&2; exit 1 ;;
esac

build_go_main() { # <workdir> <module@version> <package> <output> [replace lines...]
  local work="$1" mod="$2" pkg="$3" out="$4"; shift 4
  rm -rf "$work" && mkdir -p "$work"
  (
    cd "$work"
    go mod init flux-ops-mcp-testcluster >/dev/null 2>&1
    for r in "$@"; do go mod edit -replace "$r"; done
    go get "$pkg@${mod#*@}" 2>&1 | grep -v '^go: \(downloading\|added\|upgraded\)' >&2 || true
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w ${LDFLAGS:-}" -o "$out.tmp" "$pkg"
    mv "$out.tmp" "$out"
  )
}

now() { date +%s; }
step() { # <label> <start seconds>
  local took=$(($(now) - $2))
  printf '%s: done in %dm%02ds\n' "$1" $((took / 60)) $((took % 60)) >&2
}

# One of k8s.io/kubernetes's commands (cmd/<name>), built as a main package of a throwaway module that
# replaces every staging module (k8s.io/api, k8s.io/client-go, ...) by its published release of the same
# version, with the version the binary reports stamped in.
build_kubernetes_command() { # <name>
  local name="$1" kdir staging_version minor v started
  started=$(now)
  echo "building $name $K8S_VERSION from k8s.io/kubernetes (several minutes, once)" >&2
  kdir="$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')"
  staging_version="v0${K8S_VERSION#v1}"
  mapfile -t replaces < <(sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\1#p' "$kdir/go.mod" |
    while read -r m; do echo "$m=$m@$staging_version"; done)
  minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  v=k8s.io/component-base/version
  LDFLAGS="-X $v.gitVersion=$K8S_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean" \
  build_go_main "$CACHE/build/$name" "k8s.io/kubernetes@$K8S_VERSION" \
    "k8s.io/kubernetes/cmd/$name" "$BIN/$name" "${replaces[@]}"
  rm -rf "$CACHE/build/$name"
  step "$name $K8S_VERSION" "$started"
}

mkdir -p "$BIN"
if [ ! -x "$BIN/kube-apiserver" ]; then build_kubernetes_command kube-apiserver; fi
if [ ! -x "$BIN/etcd" ]; then
  started=$(now)
  echo "building etcd $ETCD_VERSION (a minute or two, once)" >&2
  build_go_main "$CACHE/build/etcd" "go.etcd.io/etcd/server/v3@$ETCD_VERSION" \
    go.etcd.io/etcd/server/v3 "$BIN/etcd"
  step "etcd $ETCD_VERSION" "$started"
fi

EXTRAS=("$@")
for extra in "${EXTRAS[@]}"; do
  case "$extra" in
    kube-controller-manager | kube-scheduler)
      if [ ! -x "$BIN/$extra" ]; then build_kubernetes_command "$extra"; fi
      ;;
    kwok)
      if [ ! -x "$KWOK_BIN/kwok" ] || [ ! -f "$KWOK_BIN/crds/.complete" ]; then
        started=$(now)
        echo "building kwok $KWOK_VERSION from sigs.k8s.io/kwok (a few minutes, once)" >&2
        mkdir -p "$KWOK_BIN"
        build_go_main "$CACHE/build/kwok" "sigs.k8s.io/kwok@$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok "$KWOK_BIN/kwok"
        rm -rf "$CACHE/build/kwok" "$KWOK_BIN/crds" && mkdir -p "$KWOK_BIN/crds"
        kwok_dir="$( (cd "$CACHE" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION") | sed -n 's/.*"Dir": "\(.*\)",/\1/p')"
        cp "$kwok_dir"/kustomize/crd/bases/*.yaml "$KWOK_BIN/crds/"
        chmod u+w "$KWOK_BIN/crds"/*.yaml
        touch "$KWOK_BIN/crds/.complete"
        step "kwok $KWOK_VERSION" "$started"
      fi
      ;;
    *) echo "unknown component $extra (known: kwok, kube-controller-manager, kube-scheduler)" >&2; exit 1 ;;
  esac
done

fetch_crds() { # <directory> <module@version...>
  local dir="$1" m zip; shift
  [ -f "$dir/.complete" ] && return
  rm -rf "$dir" && mkdir -p "$dir"
  for m in "$@"; do
    zip="$( (cd "$CACHE" && go mod download -json "$m" 2>/dev/null || true) | sed -n 's/.*"Zip": "\(.*\)",/\1/p')"
    if [ -z "$zip" ] || [ ! -f "$zip" ]; then echo "cannot download $m from the Go module proxy" >&2; exit 1; fi
    unzip -q -j -o "$zip" "${m%@*}@${m#*@}/config/crd/bases/*.yaml" -d "$dir"
  done
  chmod u+w "$dir"/*.yaml
  touch "$dir/.complete"
}
fetch_crds "$CRDS_2_7" "${MODULES_2_7[@]}"
fetch_crds "$CRDS_2_9" "${MODULES_2_9[@]}"

echo "KUBE_APISERVER=$BIN/kube-apiserver"
echo "ETCD=$BIN/etcd"
for extra in "${EXTRAS[@]}"; do
  case "$extra" in
    kwok) echo "KWOK=$KWOK_BIN/kwok"; echo "KWOK_CRDS=$KWOK_BIN/crds" ;;
    *) var="$(echo "$extra" | tr 'a-z-' 'A-Z_')"; echo "$var=$BIN/$extra" ;;
  esac
done
for v in "${FLUX_SETS[@]}"; do
  key="${v//./_}" crds="CRDS_${v//./_}" release="RELEASE_${v//./_}"
  echo "FLUX_CRDS_$key=${!crds}"
  echo "FLUX_RELEASE_$key=${!release}"
done
crds="CRDS_${SELECTED//./_}" release="RELEASE_${SELECTED//./_}"
echo "FLUX_CRDS=${!crds}"
echo "FLUX_RELEASE=${!release}"
