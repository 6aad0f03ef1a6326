#!/bin/bash
# `make bench`: costs measured in one run, printed as ratios; it never asserts on time.
# strace caps when= at 65535, beyond the calls it sees. Attached cases alternate over ROUNDS rounds and keep each case's fastest round, so
# a noisy machine skews every case alike.
set -eu
out=$1
fpbpf=$out/fpbpf
hits=$out/bench/hits
N=${BENCH_HITS:-200000}
NI=${BENCH_INJECT_HITS:-2000}
ROUNDS=${BENCH_ROUNDS:-3}

echo "== unattached failpoint cost (goal: < 1 ns, >= 20x below libfiu) =="
"$out/bench/unattached"

echo
if [ "$(id -u)" -ne 0 ]; then
	echo "== attached costs: skipped, loading BPF programs needs root =="
	exit 0
fi
direct=no
"$fpbpf" doctor | grep -q '^verdict delivery: direct write' && direct=yes

ns() { sed -n 's/^ns_per_hit=\([0-9.]*\).*/\1/p'; }
declare -A best
keep() {
	local v=$2
	[ -n "$v" ] || { echo "bench: case $1 printed no result" >&2; exit 1; }
	if [ -z "${best[$1]:-}" ] || awk -v a="$v" -v b="${best[$1]}" 'BEGIN{exit !(a < b)}'; then
		best[$1]=$v
	fi
}
for _ in $(seq "$ROUNDS"); do
	keep bare "$("$hits" "$N" | ns)"
	keep empty "$("$out/bench/usdt_empty" "$hits" fpbpf bench_hit -- "$hits" "$N" | ns)"
	keep nomatch "$("$fpbpf" run -e 'bench_hit = return(1) arg1=-1' -- "$hits" "$N" 2>/dev/null | ns)"
	keep nomatch_glob "$("$fpbpf" run -e 'bench_hit = return(1) comm=bench* arg2=x*' -- "$hits" "$N" 2>/dev/null | ns)"
	keep inject_stop "$("$fpbpf" run --delivery=stop -e 'bench_hit = return(1)' -- "$hits" "$NI" 2>/dev/null | ns)"
	if [ $direct = yes ]; then
		keep inject_write "$("$fpbpf" run --delivery=write -e 'bench_hit = return(1)' -- "$hits" "$NI" 2>/dev/null | ns)"
	fi
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a / b}'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%+.1f%%", (a / b - 1) * 100}'; }
echo "== attached failpoint, per hit ($N hits, best of $ROUNDS rounds) =="
printf '%-44s %10s ns\n' "no probe attached" "${best[bare]}"
printf '%-44s %10s ns  (baseline)\n' "USDT probe, empty BPF program" "${best[empty]}"
printf '%-44s %10s ns  %s vs baseline (goal: < +20%%)\n' "fpbpf rule, integer filter does not match" \
	"${best[nomatch]}" "$(pct "${best[nomatch]}" "${best[empty]}")"
printf '%-44s %10s ns  %s vs baseline (goal: < +20%%)\n' "fpbpf rule, comm and string glob filters" \
	"${best[nomatch_glob]}" "$(pct "${best[nomatch_glob]}" "${best[empty]}")"
echo "== injected hit, per delivery mode ($NI hits) =="
printf '%-44s %10s ns  %sx baseline\n' "stop-and-write" \
	"${best[inject_stop]}" "$(ratio "${best[inject_stop]}" "${best[empty]}")"
if [ $direct = yes ]; then
	printf '%-44s %10s ns  %sx baseline\n' "direct write (bpf_probe_write_user)" \
		"${best[inject_write]}" "$(ratio "${best[inject_write]}" "${best[empty]}")"
else
	echo "direct write: not measured, this kernel has no bpf_probe_write_user (see fpbpf doctor; run make vmbench)"
fi

echo
if ! "$fpbpf" doctor | grep -qE '^bpf_override_return +ok' || ! "$fpbpf" doctor | grep -qE '^kprobes +ok'; then
	echo "== syscall faults: skipped, this kernel lacks kprobes or bpf_override_return (run make vmbench) =="
	exit 0
fi
sys=$out/bench/sysloop
NS=${BENCH_SYSCALLS:-100000}
NST=${BENCH_STRACE_SYSCALLS:-5000}
sleep 1000 &
outsider=$!
attach_err=$(mktemp "${TMPDIR:-/tmp}/fpbpf-bench.XXXXXX")
for _ in $(seq "$ROUNDS"); do
	keep sys_bare "$("$sys" "$NS" | ns)"
	"$fpbpf" attach -p "$outsider" -e 'sys:read = error(EIO) count=1' 2>"$attach_err" &
	apid=$!
	for _ in $(seq 100); do grep -q '^fpbpf: delivery' "$attach_err" && break; sleep 0.1; done
	keep sys_outside "$("$sys" "$NS" | ns)"
	kill -INT "$apid"; wait "$apid" || true
	keep sys_nomatch "$("$fpbpf" run -e 'sys:read = error(EIO) count=2' -- "$sys" "$NS" 2>/dev/null | ns)"
	keep sys_inject "$("$fpbpf" run -e 'sys:read = error(EIO) count=1' -- "$sys" "$NS" 2>/dev/null | ns)"
	keep strace "$(strace -qq -f -o /dev/null -e trace=read -e inject=read:error=EIO:when=65535 "$sys" "$NST" | ns)"
	keep strace_seccomp "$(strace -qq -f --seccomp-bpf -o /dev/null -e trace=read -e inject=read:error=EIO:when=65535 "$sys" "$NST" | ns)"
done
kill "$outsider"; wait "$outsider" 2>/dev/null || true
rm -f "$attach_err"
over() { awk -v a="$1" -v b="$2" 'BEGIN{d = a - b; printf "%.1f", (d > 0.1 ? d : 0.1)}'; }
b=${best[sys_bare]}
echo "== syscall faults: read(2) of one byte, per call (best of $ROUNDS rounds) =="
printf '%-52s %10s ns\n' "bare syscall" "$b"
for c in sys_outside:"targeted syscall, process outside the scope" sys_nomatch:"targeted process, filter does not match" \
	 sys_inject:"injected (error(EIO), call not run)" strace:"strace -e inject= (never fires)" \
	 strace_seccomp:"strace --seccomp-bpf -e inject= (never fires)"; do
	k=${c%%:*}
	printf '%-52s %10s ns  %sx bare\n' "${c#*:}" "${best[$k]}" "$(ratio "${best[$k]}" "$b")"
done
printf 'non-matching overhead, strace / fpbpf: %sx (goal: >= 100x)\n' \
	"$(ratio "$(over "${best[strace]}" "$b")" "$(over "${best[sys_nomatch]}" "$b")")"
