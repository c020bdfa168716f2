#!/usr/bin/env bash
# Builds the three tools of the single-node cluster whose modules replace nothing, so `go install
# module@version` builds them straight from the Go module proxy (unlike kubernetes, etcd and dapr,
# which need a wrapper module), and caches them under .stack/k8s/bin:
#   coredns  the cluster DNS (its Deployment runs it from an image packed FROM scratch);
#   helm     renders Dapr's own chart (from the dapr module the control plane is built from), so the
#            control plane is installed as `helm install dapr` would, only without a chart repository.
#   crictl   the CRI client: `make k8s-down` stops and removes every pod sandbox through it, so their
#            network namespaces and addresses are released rather than left behind.
# About 10 minutes once on two cores; then instant.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
COREDNS_VERSION="${COREDNS_VERSION:-v1.12.4}"
HELM_VERSION="${HELM_VERSION:-v3.19.0}"
CRICTL_VERSION="${CRICTL_VERSION:-v1.34.0}"
bin="$root/.stack/k8s/bin"
export GOMODCACHE="$root/.stack/build/k8s-gomod" GOCACHE="$root/.stack/build/k8s-gocache" \
  CGO_ENABLED=0 GOTOOLCHAIN=local
mkdir -p "$bin"

tool() {  # name module version
  local name="$1" module="$2" version="$3"
  if [ -x "$bin/$name-$version" ]; then echo "$name $version: cached in $bin"; return; fi
  echo "$name $version: building from the Go module proxy (a few minutes, once)"
  local tmp="$root/.stack/build/$name-bin"
  rm -rf "$tmp" && mkdir -p "$tmp"
  GOBIN="$tmp" go install -trimpath -ldflags "-s -w" "$module@$version"
  mv "$tmp/$name" "$bin/$name-$version"
  ln -sf "$name-$version" "$bin/$name"
  rm -rf "$tmp"
  echo "$name $version: cached in $bin"
}

tool coredns github.com/coredns/coredns "$COREDNS_VERSION"
tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION"
tool crictl sigs.k8s.io/cri-tools/cmd/crictl "$CRICTL_VERSION"
