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
# explore's cost per run: two explores that differ only in their number of runs, so
# loading the session and the baseline cancel out; less a bare run of the same command.
echo "== explore: cost per run over a bare run of the same command (goal: < 10 ms) =="
xj=$(mktemp "${TMPDIR:-/tmp}/fpbpf-explore.XXXXXX")
# xrun SITES N CMD...: "runs seconds" of one explore failing hits 1..N.
xrun() {
	local t0 t1
	t0=$(date +%s%N)
	"$fpbpf" explore --json --sites "$1" --max-nth "$2" -- "${@:3}" >"$xj" 2>/dev/null || true
	t1=$(date +%s%N)
	echo "$(grep -o '"type":"summary","runs":[0-9]*' "$xj" | grep -o '[0-9]*$') $(awk -v a="$t0" -v b="$t1" 'BEGIN{print (b - a) / 1e9}')"
}
# bare CMD...: seconds per run of CMD alone, started the same way (fork and exec).
bare() {
	local t0 t1
	t0=$(date +%s%N)
	for _ in $(seq 50); do "$@" >/dev/null 2>&1; done
	t1=$(date +%s%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN{print (b - a) / 1e9 / 50}'
}
# Best of ROUNDS for each of the three, as for the cases above.
explore_case() {
	local name=$1 sites=$2 few many b per best_per="" best_b=""
	shift 2
	for _ in $(seq "$ROUNDS"); do
		few=$(xrun "$sites" 5 "$@") many=$(xrun "$sites" 45 "$@") b=$(bare "$@")
		per=$(echo "$few $many" | awk '$3 != $1 { print ($4 - $2) / ($3 - $1) }')
		[ -n "$per" ] || { echo "$name: no runs were added (explore: $few, then $many)"; return; }
		best_per=$(awk -v a="$per" -v b="${best_per:-$per}" 'BEGIN{print (a < b ? a : b)}')
		best_b=$(awk -v a="$b" -v b="${best_b:-$b}" 'BEGIN{print (a < b ? a : b)}')
	done
	awk -v name="$name" -v per="$best_per" -v b="$best_b" 'BEGIN{
		printf "%-44s %6.2f ms per run, bare %5.2f ms: %+.2f ms per run (goal: < 10 ms)\n", name, per * 1e3, b * 1e3, (per - b) * 1e3 }'
}
explore_case "failpoint sites (hits, 5 vs 45 runs)" bench_hit "$hits" 45
if "$fpbpf" doctor 2>/dev/null | grep -qE '^backend_[a-z_]+ +ok'; then
	explore_case "syscall sites (sysloop getppid, 5 vs 45 runs)" sys:getppid "$out/bench/sysloop" 45 getppid
else
	echo "syscall sites: not measured, no syscall backend on this kernel"
fi
rm -f "$xj"

echo
backends=$("$fpbpf" doctor --json 2>/dev/null | python3 -c '
import json, sys
print(" ".join(c["name"][8:] for c in json.load(sys.stdin)["checks"] if c["name"].startswith("backend_") and c["ok"]))')
if [ -z "$backends" ]; then
	echo "== syscall faults: skipped, no syscall backend on this kernel (see fpbpf doctor) =="
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
	keep other_bare "$("$sys" "$NS" getppid | ns)"
	for B in $backends; do
		if [ "$B" != seccomp ]; then
			"$fpbpf" attach --backend="$B" -p "$outsider" -e 'sys:read = error(EIO) count=1' 2>"$attach_err" &
			apid=$!
			for _ in $(seq 100); do grep -q '^fpbpf: delivery' "$attach_err" && break; sleep 0.1; done
			keep "${B}_outside" "$("$sys" "$NS" | ns)"
			kill -INT "$apid"; wait "$apid" || true
		fi
		keep "${B}_other" "$("$fpbpf" run --backend="$B" -e 'sys:read = error(EIO) count=1' -- "$sys" "$NS" getppid 2>/dev/null | ns)"
		keep "${B}_nomatch" "$("$fpbpf" run --backend="$B" -e 'sys:read = error(EIO) count=2' -- "$sys" "$NS" 2>/dev/null | ns)"
		keep "${B}_inject" "$("$fpbpf" run --backend="$B" -e 'sys:read = error(EIO) count=1' -- "$sys" "$NS" 2>/dev/null | ns)"
	done
	keep strace "$(strace -qq -f -o /dev/null -e trace=read -e inject=read:error=EIO:when=65535 "$sys" "$NST" | ns)"
	keep strace_seccomp "$(strace -qq -f --seccomp-bpf -o /dev/null -e trace=read -e inject=read:error=EIO:when=65535 "$sys" "$NST" | ns)"
	keep strace_inject "$(strace -qq -f --seccomp-bpf -o /dev/null -e trace=read -e inject=read:error=EIO:when=3+ "$sys" "$NST" | ns)"
done
kill "$outsider"; wait "$outsider" 2>/dev/null || true
rm -f "$attach_err"
over() { awk -v a="$1" -v b="$2" 'BEGIN{d = a - b; printf "%.1f", (d > 0.1 ? d : 0.1)}'; }
b=${best[sys_bare]}
row() { printf '%-60s %10s ns  %sx %s\n' "$2" "${best[$1]}" "$(ratio "${best[$1]}" "$3")" "$4"; }
echo "== syscall faults: read(2) of one byte, per call (best of $ROUNDS rounds) =="
printf '%-60s %10s ns\n' "bare read" "$b"
printf '%-60s %10s ns\n' "bare getppid (no rule targets it)" "${best[other_bare]}"
for B in $backends; do
	[ "$B" != seccomp ] && row "${B}_outside" "$B: targeted syscall, process outside the scope" "$b" "bare"
	row "${B}_other" "$B: a syscall no rule targets (getppid)" "${best[other_bare]}" "bare getppid"
	row "${B}_nomatch" "$B: targeted call, filter does not match" "$b" "bare"
	row "${B}_inject" "$B: injected (error(EIO), call not run)" "$b" "bare"
done
row strace "strace -e inject= (never fires)" "$b" "bare"
row strace_seccomp "strace --seccomp-bpf -e inject= (never fires)" "$b" "bare"
row strace_inject "strace --seccomp-bpf -e inject= (every call)" "$b" "bare"
for B in $backends; do
	printf '%s: non-matching overhead, strace / fpbpf: %sx%s\n' "$B" \
		"$(ratio "$(over "${best[strace]}" "$b")" "$(over "${best[${B}_nomatch]}" "$b")")" \
		"$(case $B in fmod_ret) echo " (goal: >= 1000x)" ;; seccomp) ;; *) echo " (no goal for $B)" ;; esac)"
done
if [ -n "${best[seccomp_inject]:-}" ]; then
	printf 'seccomp: per injected call, strace --seccomp-bpf / fpbpf: %sx (goal: >= 10x)\n' \
		"$(ratio "${best[strace_inject]}" "${best[seccomp_inject]}")"
	printf 'seccomp: a call no rule targets, fpbpf / bare: %sx (goal: <= 1.1x)\n' \
		"$(ratio "${best[seccomp_other]}" "${best[other_bare]}")"
fi

echo
echo "== start and stop: from 'fpbpf run' to the command's first instruction, and from its exit to fpbpf's =="
for n in 1 10 70; do
	src=$(mktemp "${TMPDIR:-/tmp}/fpbpf-probes.XXXXXX.c")
	bin=${src%.c}
	{
		echo '#include <stdio.h>'
		echo '#include <time.h>'
		echo '#include "fpbpf.h"'
		echo 'static long long now(void) { struct timespec t; clock_gettime(CLOCK_REALTIME, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }'
		echo 'int main(int argc, char **argv) {'
		echo '	printf("start_ns=%lld\n", now());'
		echo '	if (argc > 1) {'
		for i in $(seq "$n"); do echo "		FPBPF_POINT(p$i);"; done
		echo '	}'
		echo '	printf("end_ns=%lld\n", now());'
		echo '	return 0;'
		echo '}'
	} >"$src"
	cc -O1 -I"$(dirname "$0")/../include" "$src" -o "$bin"
	rules=$(for i in $(seq "$n"); do printf -- "-e p%d=off " "$i"; done)
	t0=$(date +%s%N)
	res=$("$fpbpf" run $rules -- "$bin" 2>/dev/null)
	t1=$(date +%s%N)
	start=$(echo "$res" | sed -n 's/start_ns=//p')
	end=$(echo "$res" | sed -n 's/end_ns=//p')
	printf '%3d probe(s): start %6.3f s, stop %6.3f s (goals: start < 0.1 s, stop < 0.1 s)\n' "$n" \
		"$(awk -v a="$start" -v b="$t0" 'BEGIN{print (a - b) / 1e9}')" "$(awk -v a="$t1" -v b="$end" 'BEGIN{print (a - b) / 1e9}')"
	rm -f "$src" "$bin"
done
