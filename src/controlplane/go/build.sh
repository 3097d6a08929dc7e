#!/usr/bin/env bash
# Build caravan-controlplane (etcd + kube-apiserver + kube-controller-manager
# from the Kubernetes Go modules) into one static binary.
#
#   test/controlplane/build.sh [OUTPUT]   (default: test/controlplane/bin/caravan-controlplane)
#
# The first build downloads ~0.7 GB of modules and compiles for many minutes;
# later builds come from Go's build cache.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/bin/caravan-controlplane}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
mkdir -p "$(dirname "$out")"

# What kube-apiserver reports at /version (and what kubectl compares against).
k8s_version=v1.32.13
build_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
	ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=32"
	ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done

cd "$here"
CGO_ENABLED=0 go build -mod=readonly -buildvcs=false -trimpath -ldflags="$ldflags" -o "$out" .
echo "built $out" >&2
