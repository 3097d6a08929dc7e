#!/usr/bin/env bash
# Installs what Caravan's tests need besides Node's packages, on a Debian
# machine with Node 20, npm, Go and kubectl. `npm test` runs it first, and so
# does CI; a second run finds everything in place and takes a few seconds.
#
#   - Debian packages: podman, runc and catatonit (the Docker Engine API the docker
#     driver is tested against), qemu, busybox-static and cpio (the qemu
#     driver's test VM and the test images), a JDK (the java driver),
#     containernetworking-plugins and iptables (bridge and CNI group networks).
#     Installing them needs root (or sudo); once they are there it does not.
#   - Debian's kernel package, downloaded (not installed) into
#     .cache/test-kernel/ for the qemu driver's test VM.
#   - python-nomad (PyPI, pinned), the second API client the suite drives,
#     in a virtual environment under .cache/python-nomad/ (Debian's pip
#     refuses installs into the system Python).
#   - Go-built tools under .cache/: the embedded control plane (etcd,
#     kube-apiserver, kube-controller-manager) and helm, through
#     `npm run tools` (needs `npm ci` first).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(git ca-certificates procps podman runc catatonit qemu-system-x86 busybox-static cpio util-linux
  openjdk-17-jdk-headless python3 python3-venv containernetworking-plugins iptables iproute2)

for tool in node npm go kubectl; do
  command -v "$tool" >/dev/null || {
    echo "setup: $tool is missing; Caravan's tests need Node 20, npm, Go and kubectl" >&2
    exit 1
  }
done

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    echo "setup: installing Debian packages needs root (or sudo): $*" >&2
    exit 1
  fi
}

lists_fresh=false
apt_update() {
  if [ "$lists_fresh" = false ]; then
    as_root apt-get update -qq
    lists_fresh=true
  fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  apt_update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# The test VM's kernel: linux-image-amd64 is a metapackage; the kernel is in
# the package it depends on. test/support/qemu-image.ts unpacks what it needs.
kernel_dir=.cache/test-kernel
if ! compgen -G "$kernel_dir/linux-image-*.deb" >/dev/null; then
  kernel_package() { apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/.*Depends: \(linux-image-[0-9]\S*\).*/\1/p' | head -1; }
  pkg=$(kernel_package)
  if [ -z "$pkg" ]; then
    apt_update
    pkg=$(kernel_package)
  fi
  [ -n "$pkg" ] || { echo "setup: apt-cache knows no linux-image-amd64 kernel package" >&2; exit 1; }
  echo "setup: downloading $pkg for the qemu driver's test VM" >&2
  mkdir -p "$kernel_dir"
  sandbox=()
  [ "$(id -u)" -ne 0 ] || sandbox=(-o APT::Sandbox::User=root) # root downloads as itself, not _apt
  (cd "$kernel_dir" && apt-get download -qq "${sandbox[@]}" "$pkg")
fi

# python-nomad, the Python client test/e2e/python-nomad.test.ts drives.
python_nomad_version=2.1.0
venv=.cache/python-nomad
if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('python-nomad') != '$python_nomad_version')" 2>/dev/null; then
  echo "setup: installing python-nomad $python_nomad_version into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "python-nomad==$python_nomad_version"
fi

if [ ! -d node_modules ]; then
  echo "setup: run npm ci first (the Go-built tools are built through npm run tools)" >&2
  exit 1
fi
npm run --silent tools >/dev/null
echo "setup: the test machine is ready" >&2
