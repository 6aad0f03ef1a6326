#!/bin/bash
# Prints the path of a VM kernel that has every capability fpbpf uses, building it first
# when the cache has none. The cache key covers the config fragment and the exact
# linux-source package version, so editing either one rebuilds and nothing else does.
#   VMTEST_KERNEL=/path/bzImage   use that kernel, build nothing
#   FPBPF_CACHE=DIR               cache root (default: $HOME/.cache/fpbpf)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${VMTEST_KERNEL:-}" ]; then
	[ -r "$VMTEST_KERNEL" ] || { echo "kernel.sh: VMTEST_KERNEL=$VMTEST_KERNEL is not readable" >&2; exit 1; }
	echo "$VMTEST_KERNEL"
	exit 0
fi

# Bump when the build recipe itself changes in a way that alters the kernel.
recipe=1
src_pkg=linux-source-6.1
src_tar=/usr/src/linux-source-6.1.tar.xz
if ! src_ver=$(dpkg-query -W -f='${Version}' "$src_pkg" 2>/dev/null) || [ ! -r "$src_tar" ]; then
	echo "kernel.sh: $src_tar missing: install Debian package $src_pkg (scripts/install-deps.sh)" >&2
	exit 1
fi
key=$( { echo "recipe=$recipe src=$src_pkg-$src_ver"; cat "$here/kernel.config"; } | sha256sum | cut -c1-16)
cache=${FPBPF_CACHE:-$HOME/.cache/fpbpf}
dest=$cache/kernel-$key
if [ -r "$dest/bzImage" ]; then
	echo "$dest/bzImage"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/kernel.lock"
flock 9
[ -r "$dest/bzImage" ] && { echo "$dest/bzImage"; exit 0; }

for tool in flex bison bc pahole cpio xz gcc make; do
	command -v "$tool" >/dev/null || { echo "kernel.sh: '$tool' not found: run scripts/install-deps.sh" >&2; exit 1; }
done

build=$cache/build-$key
rm -rf "$build"
mkdir -p "$build"
log=$build.log
echo "kernel.sh: building VM kernel $key from $src_pkg $src_ver (log: $log, takes ~10 min)" >&2
{
	tar -xJf "$src_tar" -C "$build" --strip-components=1
	cd "$build"
	make -s tinyconfig
	scripts/kconfig/merge_config.sh -m .config "$here/kernel.config"
	make -s olddefconfig
} >"$log" 2>&1 || { echo "kernel.sh: configuring failed, see $log" >&2; tail -20 "$log" >&2; exit 1; }

missing=0
while read -r line; do
	case "$line" in ''|'#'*) continue ;; esac
	if ! grep -qx -- "$line" "$build/.config"; then
		echo "kernel.sh: required option dropped out of the final .config: $line" >&2
		missing=1
	fi
done <"$here/required.config"
[ "$missing" -eq 0 ] || { echo "kernel.sh: fix vmtest/kernel.config (an unmet dependency?)" >&2; exit 1; }

jobs=$(( $(nproc) + 1 ))
if ! make -C "$build" -j"$jobs" bzImage >>"$log" 2>&1; then
	echo "kernel.sh: kernel build failed, see $log" >&2
	tail -30 "$log" >&2
	exit 1
fi
mkdir -p "$dest.tmp"
cp "$build/arch/x86/boot/bzImage" "$build/.config" "$dest.tmp/"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
rm -rf "$build"
echo "$dest/bzImage"
