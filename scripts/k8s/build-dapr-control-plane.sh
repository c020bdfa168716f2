#!/usr/bin/env bash
# Builds Dapr's control plane (operator, sidecar injector, sentry, placement) from the same
# github.com/dapr/dapr module and version as daprd (scripts/stack/build-daprd.sh, whose wrapper-module
# approach this follows), and caches the binaries under .stack/k8s/bin. The scheduler is left out: it
# needs github.com/diagridio/go-etcd-cron, which the module proxy does not serve; giftflow uses neither
# Dapr jobs nor actor reminders, the scheduler's only clients.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
DAPR_VERSION="${DAPR_VERSION:-v1.16.5}"
bin="$root/.stack/k8s/bin"
work="$root/.stack/build/dapr-control-plane"
export GOMODCACHE="$root/.stack/build/k8s-gomod" GOCACHE="$root/.stack/build/k8s-gocache" \
  GOFLAGS="-mod=mod" CGO_ENABLED=0 GOTOOLCHAIN=local
mkdir -p "$bin"
components=(operator injector sentry placement)
missing=()
for c in "${components[@]}"; do [ -x "$bin/dapr-$c-$DAPR_VERSION" ] || missing+=("$c"); done
[ ${#missing[@]} -eq 0 ] && { echo "dapr control plane $DAPR_VERSION: cached in $bin"; exit 0; }

echo "dapr control plane $DAPR_VERSION: building ${missing[*]} from the Go module proxy"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
go mod init giftflow.local/dapr-control-plane-build >/dev/null 2>&1
modfile="$(go mod download -json "github.com/dapr/dapr@$DAPR_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')"
{
  echo "require github.com/dapr/dapr $DAPR_VERSION"
  awk '/^replace \($/{inblk=1; next} inblk && /^\)/{inblk=0; next} inblk && /=>/{sub(/\/\/.*/, ""); print "replace " $0; next} /^replace .*=>/{print}' "$modfile"
} >> go.mod
{
  echo "//go:build tools"; echo; echo "package tools"; echo
  for c in "${missing[@]}"; do echo "import _ \"github.com/dapr/dapr/cmd/$c\""; done
} > tools.go
go mod tidy -e 2>&1 | tail -3
n=0
for c in "${missing[@]}"; do
  n=$((n + 1))
  echo "dapr control plane: compiling $c ($n of ${#missing[@]})"
  go build -trimpath -ldflags "-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=${DAPR_VERSION#v}" \
    -o "$bin/dapr-$c-$DAPR_VERSION.tmp" "github.com/dapr/dapr/cmd/$c"
  mv "$bin/dapr-$c-$DAPR_VERSION.tmp" "$bin/dapr-$c-$DAPR_VERSION"
  ln -sf "dapr-$c-$DAPR_VERSION" "$bin/dapr-$c"
done
echo "dapr control plane $DAPR_VERSION: cached in $bin"
