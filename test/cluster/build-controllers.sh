#!/usr/bin/env bash
# Builds the real Flux controllers of one Flux release from their Go modules, one at a time, and copies the
# CRDs of those same modules. Everything lands in a cache outside the repository and is reused: a second run
# with the same versions does nothing. Prints NAME=path lines on stdout, progress on stderr.
#
# A controller's module carries `replace github.com/fluxcd/<name>/api => ./api`; the module zip has no
# ./api directory (it is its own module), so that replace is dropped in favour of the published api module
# of the same version. The other replace lines of the module are kept.
set -euo pipefail

CACHE="${FLUX_OPS_MCP_CACHE:-$HOME/.cache/flux-ops-mcp}"
# FLUX_OPS_MCP_FLUX picks the release (2.7 or 2.9, default 2.9), as in build-binaries.sh and cluster.ts.
# FLUX_RELEASE is the label their CRDs get, as `flux install` labels them.
FLUX_LINE="${FLUX_OPS_MCP_FLUX:-2.9}"
case "$FLUX_LINE" in
  2.9)
    # The controllers of Flux 2.9.5 (flux2@v2.9.5 bundles source and kustomize v1.9.5, helm v1.6.4,
    # notification v1.9.4): source and kustomize at their newest 2.9 patch release, notification at v1.9.3
    # because the module proxy does not serve v1.9.4.
    FLUX_RELEASE="v2.9.5"
    CONTROLLERS=(
      source-controller@v1.9.6
      kustomize-controller@v1.9.6
      helm-controller@v1.6.4
      notification-controller@v1.9.3
    )
    ;;
  2.7)
    # The controllers of Flux 2.7.5 (flux2@v2.7.5 manifests/bases bundles source v1.7.4, kustomize v1.7.3,
    # helm v1.4.5, notification v1.7.5). The module proxy does not serve source v1.7.4 nor helm v1.4.4-v1.4.5:
    # source v1.7.3 and helm v1.4.3 (the set of flux2@v2.7.3) stand in. It serves no notification-controller
    # v1.7.x at all: v1.6.0 (Flux 2.6) stands in, as for the 2.7 CRD set of build-binaries.sh; it still serves
    # the v1beta1 notification APIs Flux 2.7 removed, and the end-to-end tests do not use it beyond starting.
    FLUX_RELEASE="v2.7.5"
    CONTROLLERS=(
      source-controller@v1.7.3
      kustomize-controller@v1.7.3
      helm-controller@v1.4.3
      notification-controller@v1.6.0
    )
    ;;
  *) echo "FLUX_OPS_MCP_FLUX=$FLUX_LINE: no such controller set (known: 2.7, 2.9)" >&2; exit 1 ;;
esac
BIN="$CACHE/bin/flux-$FLUX_LINE-controllers"
CRDS="$CACHE/crds/flux-$FLUX_LINE-controllers"
# Each controller's own Deployment (config/manager/deployment.yaml of its module), which `flux install`
# labels and deploys: test/cluster/flux-deployments.ts shows the local processes as these Deployments.
MANIFESTS="$CACHE/manifests/flux-$FLUX_LINE-controllers"

now() { date +%s; }
step() { # <label> <start seconds>
  local took=$(($(now) - $2))
  printf '%s: done in %dm%02ds\n' "$1" $((took / 60)) $((took % 60)) >&2
}

module_dir() { # <module@version>: downloads the module and prints its directory in the module cache
  (cd "$CACHE" && go mod download -json "$1") | sed -n 's/.*"Dir": "\(.*\)",/\1/p'
}

# The module proxy here does not serve every version a controller's go.mod requires (it answers 403 "not
# available" for some, e.g. github.com/fluxcd/pkg/artifact v0.18.3). For each such module the nearest lower
# patch release of the same minor that the proxy serves replaces it; patch releases of the fluxcd/pkg modules
# differ only in dependency bumps. Every substitution is printed.
substitute_unserved() { # run in the controller's work tree
  local tries=0 missing mod ver base patch p
  while ! missing="$(go list -deps . 2>&1 >/dev/null)"; do
    mod="$(printf '%s\n' "$missing" | sed -n 's/.* \([^ ]*\)@\(v[0-9][^:]*\): reading .*403.*/\1@\2/p' | head -n1)"
    if [ -z "$mod" ] || [ $((tries += 1)) -gt 10 ]; then printf '%s\n' "$missing" >&2; return 1; fi
    ver="${mod#*@}" mod="${mod%@*}" base="${ver%.*}" patch="${ver##*.}"
    for ((p = patch - 1; p >= 0; p--)); do
      if (cd "$CACHE" && go mod download "$mod@$base.$p" 2>/dev/null); then break; fi
    done
    if [ "$p" -lt 0 ]; then echo "$mod $ver is not served and no lower $base.x release is" >&2; return 1; fi
    echo "  $mod $ver is not served by the module proxy: using $base.$p" >&2
    go mod edit -replace "$mod=$mod@$base.$p"
    go mod download "$mod"
  done
}

build_controller() { # <name> <version>
  local name="$1" ver="$2" out="$BIN/$1-$2" work="$CACHE/build/$1-$2" dir started
  started=$(now)
  echo "building $name $ver from github.com/fluxcd/$name (2-10 minutes, once)" >&2
  dir="$(module_dir "github.com/fluxcd/$name@$ver")"
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then echo "cannot download github.com/fluxcd/$name@$ver" >&2; exit 1; fi
  rm -rf "$work" && mkdir -p "$(dirname "$work")" && cp -r "$dir" "$work" && chmod -R u+w "$work"
  (
    cd "$work"
    go mod edit -dropreplace "github.com/fluxcd/$name/api"
    go get "github.com/fluxcd/$name/api@$ver" 2>&1 | grep -v '^go: \(downloading\|added\|upgraded\)' >&2 || true
    substitute_unserved
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$out.tmp" . 2>&1 | { grep -v '^go: downloading' || true; } >&2
  )
  mv "$out.tmp" "$out"
  rm -rf "$work"
  step "$name $ver" "$started"
}

mkdir -p "$BIN" "$CACHE/build"
# The go command needs a module-less working directory for `go mod download`; the cache root is one.
for c in "${CONTROLLERS[@]}"; do
  name="${c%@*}" ver="${c#*@}"
  if [ ! -x "$BIN/$name-$ver" ]; then build_controller "$name" "$ver"; fi
done

if [ ! -f "$CRDS/.complete" ]; then
  started=$(now)
  rm -rf "$CRDS" && mkdir -p "$CRDS"
  for c in "${CONTROLLERS[@]}"; do
    dir="$(module_dir "github.com/fluxcd/$c")"
    cp "$dir"/config/crd/bases/*.yaml "$CRDS/"
  done
  chmod u+w "$CRDS"/*.yaml
  touch "$CRDS/.complete"
  step "Flux $FLUX_LINE CRDs" "$started"
fi

if [ ! -f "$MANIFESTS/.complete" ]; then
  rm -rf "$MANIFESTS" && mkdir -p "$MANIFESTS"
  for c in "${CONTROLLERS[@]}"; do
    dir="$(module_dir "github.com/fluxcd/$c")"
    cp "$dir/config/manager/deployment.yaml" "$MANIFESTS/${c%@*}.yaml"
  done
  chmod u+w "$MANIFESTS"/*.yaml
  touch "$MANIFESTS/.complete"
fi

for c in "${CONTROLLERS[@]}"; do
  name="${c%@*}" ver="${c#*@}"
  var="$(echo "$name" | tr 'a-z-' 'A-Z_')"
  echo "$var=$BIN/$name-$ver"
done
echo "FLUX_CONTROLLER_CRDS=$CRDS"
echo "FLUX_CONTROLLER_MANIFESTS=$MANIFESTS"
echo "FLUX_CONTROLLERS_RELEASE=$FLUX_RELEASE"
