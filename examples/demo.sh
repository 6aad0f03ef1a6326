#!/bin/sh
# `make demo`: runs the bundled key-value demo under rules/demo.fp.
set -u
out=$1
if [ "$(id -u)" -ne 0 ]; then
	echo "demo: fpbpf loads BPF programs and needs root: run 'sudo make demo'" >&2
	exit 1
fi
if ! "$out/fpbpf" doctor >/dev/null 2>&1; then
	echo "demo: this kernel cannot run USDT failpoints; 'fpbpf doctor' says why:" >&2
	"$out/fpbpf" doctor >&2
	exit 1
fi
echo "demo: $out/fpbpf run -r rules/demo.fp -- $out/kvdemo"
"$out/fpbpf" run -r rules/demo.fp -- "$out/kvdemo"
status=$?
echo "demo: kvdemo exited with status $status (1 = it saw a write it could not complete, as the rules intend)"
