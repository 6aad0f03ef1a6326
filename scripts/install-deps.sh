#!/bin/sh
# Installs the Debian bookworm packages fpbpf needs to build, test and run its VM suite.
# Idempotent: only missing packages are fetched, so CI and make targets can call it every time.
set -eu

PKGS="make gcc g++ clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config libcmocka-dev
systemtap-sdt-dev libfiu-dev fiu-utils strace libclang-rt-14-dev
qemu-system-x86 linux-source-6.1 busybox-static dwarves flex bison bc libssl-dev cpio xz-utils
kmod python3 libjansson-dev"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing (run as root: $0)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing </dev/null
