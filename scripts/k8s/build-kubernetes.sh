#!/usr/bin/env bash
# Builds the Kubernetes node and control-plane binaries (kube-apiserver, kube-controller-manager,
# kube-scheduler, kubelet, kube-proxy) and etcd from the Go module proxy, and caches them under
# .stack/k8s/bin. Neither module builds with `go install module@version`: k8s.io/kubernetes replaces
# its staging modules with ./staging paths and etcd's server module replaces its siblings with ../
# paths, so each is built from a throwaway wrapper module that requires the published versions instead.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
K8S_VERSION="${K8S_VERSION:-v1.34.4}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
bin="$root/.stack/k8s/bin"
work="$root/.stack/build/k8s"
export GOMODCACHE="$root/.stack/build/k8s-gomod" GOCACHE="$root/.stack/build/k8s-gocache" \
  GOFLAGS="-mod=mod" CGO_ENABLED=0 GOTOOLCHAIN=local
mkdir -p "$bin"

components=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
missing=()
for c in "${components[@]}"; do [ -x "$bin/$c-$K8S_VERSION" ] || missing+=("$c"); done

if [ ${#missing[@]} -gt 0 ]; then
  echo "kubernetes $K8S_VERSION: building ${missing[*]} from the Go module proxy (~20-30 min on 2 cores, once)"
  rm -rf "$work/kubernetes" && mkdir -p "$work/kubernetes" && cd "$work/kubernetes"
  go mod init giftflow.local/kubernetes-build >/dev/null 2>&1
  modfile="$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')"
  staging="v0.${K8S_VERSION#v1.}"
  {
    echo "require k8s.io/kubernetes $K8S_VERSION"
    # every staging module (replaced by ./staging/... in kubernetes' own go.mod) at its published version
    grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging' "$modfile" | awk -v v="$staging" '{print "require " $1 " " v}'
    # replaces into other modules (not ./staging) are kept as they are
    awk '/^replace \($/{inblk=1; next} inblk && /^\)/{inblk=0; next} inblk && /=>/ && !/\.\/staging/{sub(/\/\/.*/, ""); print "replace " $0}' "$modfile"
  } >> go.mod
  {
    echo "//go:build tools"; echo; echo "package tools"; echo
    for c in "${missing[@]}"; do echo "import _ \"k8s.io/kubernetes/cmd/$c\""; done
  } > tools.go
  go mod tidy -e 2>&1 | tail -3
  n=0
  for c in "${missing[@]}"; do
    n=$((n + 1))
    echo "kubernetes: compiling $c ($n of ${#missing[@]})"
    go build -trimpath -ldflags "-s -w \
      -X k8s.io/component-base/version.gitVersion=$K8S_VERSION \
      -X k8s.io/component-base/version.gitMajor=1 \
      -X k8s.io/component-base/version.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2) \
      -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION" \
      -o "$bin/$c-$K8S_VERSION.tmp" "k8s.io/kubernetes/cmd/$c"
    mv "$bin/$c-$K8S_VERSION.tmp" "$bin/$c-$K8S_VERSION"
    ln -sf "$c-$K8S_VERSION" "$bin/$c"
  done
fi

if [ ! -x "$bin/etcd-$ETCD_VERSION" ]; then
  echo "etcd $ETCD_VERSION: building from the Go module proxy"
  rm -rf "$work/etcd" && mkdir -p "$work/etcd" && cd "$work/etcd"
  go mod init giftflow.local/etcd-build >/dev/null 2>&1
  cat >> go.mod <<MOD
require (
	go.etcd.io/etcd/server/v3 $ETCD_VERSION
	go.etcd.io/etcd/api/v3 $ETCD_VERSION
	go.etcd.io/etcd/client/pkg/v3 $ETCD_VERSION
	go.etcd.io/etcd/client/v3 $ETCD_VERSION
	go.etcd.io/etcd/pkg/v3 $ETCD_VERSION
)
MOD
  cat > main.go <<'GO'
// etcd's own main (go.etcd.io/etcd/v3) is not a module the proxy serves on its own; its server
// package's etcdmain is what that main calls.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  go mod tidy -e 2>&1 | tail -3
  go build -trimpath -ldflags "-s -w" -o "$bin/etcd-$ETCD_VERSION.tmp" .
  mv "$bin/etcd-$ETCD_VERSION.tmp" "$bin/etcd-$ETCD_VERSION"
  ln -sf "etcd-$ETCD_VERSION" "$bin/etcd"
fi
echo "kubernetes $K8S_VERSION and etcd $ETCD_VERSION: cached in $bin"
