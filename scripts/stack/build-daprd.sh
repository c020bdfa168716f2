#!/usr/bin/env bash
# Builds daprd from the Go module proxy (no prebuilt binary can be fetched here) and caches it.
# dapr's go.mod carries replace directives, so `go install dapr@version` refuses; instead a throwaway
# wrapper module requires dapr at DAPR_VERSION and copies those replace directives at build time.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
DAPR_VERSION="${DAPR_VERSION:-v1.16.5}"
out="$root/.stack/bin/daprd-$DAPR_VERSION"
[ -x "$out" ] && { echo "daprd $DAPR_VERSION: cached at $out"; exit 0; }

work="$root/.stack/build/daprd"
export GOMODCACHE="$root/.stack/build/gomod" GOCACHE="$root/.stack/build/gocache" GOFLAGS="-mod=mod" CGO_ENABLED=0 GOTOOLCHAIN=local
mkdir -p "$work" "$root/.stack/bin"
cd "$work"
echo "daprd $DAPR_VERSION: building from the Go module proxy (several GB of modules, ~5 min on 2 cores)"
rm -f go.mod go.sum
go mod init giftflow.local/daprd-build >/dev/null 2>&1
modfile="$(go mod download -json "github.com/dapr/dapr@$DAPR_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')"
{
  echo "require github.com/dapr/dapr $DAPR_VERSION"
  # copy dapr's replace directives, single-line and block form
  awk '/^replace \($/{inblk=1; next} inblk && /^\)/{inblk=0; next} inblk && /=>/{sub(/\/\/.*/, ""); print "replace " $0; next} /^replace .*=>/{print}' "$modfile"
} >> go.mod
cat > tools.go <<'GO'
//go:build tools

package tools

import _ "github.com/dapr/dapr/cmd/daprd"
GO
go mod tidy -e -x 2>&1 | awk '/^# get .*\.zip: 200/{n++; if (n%50==0) print "  … " n " modules fetched"}'
echo "daprd: compiling (stablecomponents)"
go build -v -tags stablecomponents -trimpath -ldflags "-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=${DAPR_VERSION#v}" \
  -o "$out.tmp" github.com/dapr/dapr/cmd/daprd 2>&1 | awk '{n++} n%100==0{print "  … compiled", n, "packages"}'
mv "$out.tmp" "$out"
ln -sf "$(basename "$out")" "$root/.stack/bin/daprd"
# the module and build caches are only needed to build; drop them so the cache folder stays small
go clean -modcache >/dev/null 2>&1 || true
rm -rf "$GOMODCACHE" "$GOCACHE" "$work"
echo "daprd $DAPR_VERSION: built $(du -h "$out" | cut -f1) at $out"
