#!/bin/bash
# Runs a command as root inside a qemu VM whose kernel has every capability fpbpf uses.
#   vmtest/run.sh CMD [ARGS]...       (run from the repo; the command runs in the same cwd)
# The host root is shared read-only over 9p and a results directory read-write, so
# host-built binaries run unchanged. The command's exit status comes back through the
# results share; a missing status, a timeout, or a WARNING/BUG/Oops/panic in the guest
# kernel log is a failure.
#   VMTEST_KERNEL=/path/bzImage   kernel to boot (default: vmtest/kernel.sh builds/caches one)
#   VMTEST_DEBIAN=1               boot Debian's own kernel instead (vmtest/debian-kernel.sh
#                                 fetches it), loading the modules its 9p root needs
#   VMTEST_TIMEOUT=SECONDS        whole-VM timeout (default 2400)
#   VMTEST_MEM=MB, VMTEST_CPUS=N  guest size (default 2048, 2)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || { echo "usage: vmtest/run.sh CMD [ARGS]..." >&2; exit 2; }
for tool in qemu-system-x86_64 cpio; do
	command -v "$tool" >/dev/null || { echo "vmtest: '$tool' not found: run scripts/install-deps.sh" >&2; exit 1; }
done
[ -x /bin/busybox ] || { echo "vmtest: /bin/busybox missing: install Debian package busybox-static" >&2; exit 1; }

modules=
if [ -n "${VMTEST_DEBIAN:-}" ]; then
	{ read -r kernel; read -r modules; } < <("$here/debian-kernel.sh")
else
	kernel=$("$here/kernel.sh")
fi
cwd=$(pwd)
work=$(mktemp -d "$(pwd)/build/vmtest.XXXXXX" 2>/dev/null || { mkdir -p build; mktemp -d "$(pwd)/build/vmtest.XXXXXX"; })
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/results" "$work/initramfs/bin"

# The command, quoted for the guest shell.
{
	printf 'cd %q || exit 125\n' "$(pwd)"
	printf 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp TMPDIR=/tmp FPBPF_IN_VM=1 FPBPF_VM_KERNEL=%s\n' "${VMTEST_DEBIAN:+debian}"
	printf 'exec'
	printf ' %q' "$@"
	printf '\n'
} >"$work/results/cmd.sh"

cp /bin/busybox "$work/initramfs/bin/busybox"
mkdir -p "$work/initramfs/modules"
if [ -n "$modules" ]; then
	cp "$modules"/*.ko "$modules/order" "$work/initramfs/modules/"
fi
cat >"$work/initramfs/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc 2>/dev/null || { mkdir -p /proc; mount -t proc proc /proc; }
mkdir -p /sys /dev /root
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# A distribution kernel builds virtio and 9p as modules: load them first.
[ -f /modules/order ] && for m in \$(cat /modules/order); do insmod /modules/\$m.ko || echo "vmtest: insmod \$m failed"; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 hostroot /root || { echo "vmtest: cannot mount host root"; reboot -f; }
# A fresh tmpfs /tmp for the guest, but a work tree under the host's /tmp stays visible.
mkdir -p /hosttmp
mount -o bind /root/tmp /hosttmp
mount -t tmpfs tmpfs /root/tmp
case "$cwd" in
/tmp/*) mkdir -p "/root$cwd" && mount -o bind "/hosttmp${cwd#/tmp}" "/root$cwd" ;;
esac
mount -t 9p -o trans=virtio,version=9p2000.L results /root$work/results || echo "vmtest: cannot mount results share"
mount -t proc proc /root/proc
mount -t sysfs sys /root/sys
mount -t devtmpfs dev /root/dev
mkdir -p /root/dev/pts /root/dev/shm 2>/dev/null
# What udev would add: bash's process substitution (<(...)) opens /dev/fd/N.
ln -sf /proc/self/fd /root/dev/fd
ln -sf /proc/self/fd/0 /root/dev/stdin
ln -sf /proc/self/fd/1 /root/dev/stdout
ln -sf /proc/self/fd/2 /root/dev/stderr
mount -t devpts devpts /root/dev/pts 2>/dev/null
mount -t tmpfs tmpfs /root/dev/shm
mount -t tmpfs tmpfs /root/run
mount -t bpf bpf /root/sys/fs/bpf
mount -t tracefs tracefs /root/sys/kernel/tracing
mount -t debugfs debugfs /root/sys/kernel/debug
mount -t securityfs securityfs /root/sys/kernel/security 2>/dev/null
mount -t cgroup2 cgroup2 /root/sys/fs/cgroup 2>/dev/null
echo "vmtest: guest up, kernel \$(uname -r)"
chroot /root /bin/sh $work/results/cmd.sh >/root$work/results/output 2>&1 </dev/null
echo \$? >/root$work/results/status
dmesg >/root$work/results/dmesg
sync
reboot -f
INIT
chmod +x "$work/initramfs/init"
(cd "$work/initramfs" && find . | cpio -o -H newc --quiet) >"$work/initramfs.cpio"

accel=${VMTEST_ACCEL:-tcg}
echo "vmtest: booting $kernel (accel=$accel) for: $*" >&2
set +e
timeout --foreground -k 10 "${VMTEST_TIMEOUT:-2400}" qemu-system-x86_64 \
	-accel "$accel" -m "${VMTEST_MEM:-2048}" -smp "${VMTEST_CPUS:-2}" -cpu max \
	-kernel "$kernel" -initrd "$work/initramfs.cpio" \
	-append "console=ttyS0 panic=-1 rdinit=/init loglevel=4" \
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
	-virtfs "local,path=$work/results,mount_tag=results,security_model=none" \
	-display none -monitor none -serial "file:$work/serial.log" -no-reboot </dev/null
qemu_rc=$?
set -e

[ -f "$work/results/output" ] && cat "$work/results/output"
if [ $qemu_rc -eq 124 ] || [ $qemu_rc -eq 137 ]; then
	echo "vmtest: FAIL: the VM did not finish within ${VMTEST_TIMEOUT:-2400}s" >&2
	tail -40 "$work/serial.log" >&2
	exit 1
fi
if [ ! -s "$work/results/status" ]; then
	echo "vmtest: FAIL: no exit status came back from the guest (qemu exit $qemu_rc); serial log:" >&2
	tail -40 "$work/serial.log" >&2
	exit 1
fi
status=$(cat "$work/results/status")
if grep -E 'WARNING:|BUG:|Oops|Kernel panic|cut here|general protection' "$work/serial.log" "$work/results/dmesg" >&2; then
	echo "vmtest: FAIL: the guest kernel logged a warning or crash (above)" >&2
	exit 1
fi
echo "vmtest: guest command exited with status $status" >&2
exit "$status"
