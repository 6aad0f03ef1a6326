#!/bin/bash
# Prints the path of Debian's own kernel image (what `linux-image-amd64` installs on
# bookworm) and, on a second line, a directory with the modules the VM needs to reach its
# 9p root, downloading and unpacking the package into the cache the first time. The
# kernel is never installed on the host. The cache key is the package's exact version.
#   FPBPF_CACHE=DIR   cache root (default: $HOME/.cache/fpbpf)
set -euo pipefail

cache=${FPBPF_CACHE:-$HOME/.cache/fpbpf}
# The order modprobe would load them in: each needs the ones before it.
modules="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci 9pnet 9pnet_virtio netfs fscache 9p"

pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -1)
[ -n "$pkg" ] || { echo "debian-kernel.sh: apt knows no linux-image-amd64 (run apt-get update)" >&2; exit 1; }
ver=$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')
dest=$cache/debian-$pkg-$ver
if [ ! -r "$dest/vmlinuz" ] || [ ! -d "$dest/modules" ]; then
	mkdir -p "$cache"
	exec 9>"$cache/debian-kernel.lock"
	flock 9
	if [ ! -r "$dest/vmlinuz" ]; then
		tmp=$(mktemp -d "$cache/debian.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		echo "debian-kernel.sh: fetching $pkg $ver (about 70 MB, once)" >&2
		# apt warns that, as root, it cannot drop privileges for the download: harmless.
		(cd "$tmp" && apt-get download "$pkg=$ver" >/dev/null 2>"$tmp/apt.log") ||
			{ cat "$tmp/apt.log" >&2; echo "debian-kernel.sh: cannot download $pkg" >&2; exit 1; }
		dpkg-deb -x "$tmp"/*.deb "$tmp/root"
		mkdir -p "$tmp/out/modules"
		cp "$tmp"/root/boot/vmlinuz-* "$tmp/out/vmlinuz"
		for m in $modules; do
			f=$(find "$tmp/root/lib/modules" -name "$m.ko*" | head -1)
			[ -n "$f" ] || { echo "debian-kernel.sh: $pkg has no module $m" >&2; exit 1; }
			case $f in
			*.ko) cp "$f" "$tmp/out/modules/$m.ko" ;;
			*.ko.xz) xz -dc "$f" >"$tmp/out/modules/$m.ko" ;;
			*) echo "debian-kernel.sh: cannot unpack $f" >&2; exit 1 ;;
			esac
		done
		echo "$modules" >"$tmp/out/modules/order"
		rm -rf "$dest"
		mv "$tmp/out" "$dest"
	fi
fi
echo "$dest/vmlinuz"
echo "$dest/modules"
