# Shared helpers for integration tests. Each test file calls `group NAME` per group and
# `ok`/`fail`/`skip` per case; run-integration.sh counts the status lines, and a group
# that prints no status at all counts as failed.
: "${FPBPF:?set FPBPF to the fpbpf binary}"
: "${VICTIMS:?set VICTIMS to the victims directory}"
VICTIM=$VICTIMS/victim
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fpbpf-test.XXXXXX")
# Each group's time, for finding what makes a suite slow (run-integration ignores it).
group_took() { [ -z "${GROUP_NAME:-}" ] || echo "# took $((SECONDS - GROUP_T0)) s: $GROUP_NAME"; }
trap 'group_took; rm -rf "$TMP"' EXIT
: >"$TMP/err"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

group() {
	group_took
	GROUP_NAME=$1 GROUP_T0=$SECONDS
	echo "GROUP $1"
}
ok() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }

# Runs fpbpf; its stderr goes to $TMP/err, and a sanitizer report there fails the case.
fp() {
	"$FPBPF" "$@" 2>"$TMP/err"
}
sanitizer_clean() {
	! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$TMP/err"
}
# expect NAME WANT GOT
expect() {
	if [ "$2" = "$3" ] && sanitizer_clean; then
		ok "$1"
	elif ! sanitizer_clean; then
		fail "$1" "sanitizer report: $(grep -m1 -E 'ERROR|runtime error' "$TMP/err")"
	else
		fail "$1" "expected [$2], got [$3] (stderr: $(tail -3 "$TMP/err" | tr '\n' ' '))"
	fi
}

# A fresh cgroup v2 directory's path, mounting the unified hierarchy where the host
# mounts only v1 ones; empty when neither works.
cgroup2_dir() {
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		echo "/sys/fs/cgroup/fpbpf-test-$$"
	elif mkdir -p "$TMP/cg2" && mount -t cgroup2 none "$TMP/cg2" 2>/dev/null; then
		echo "$TMP/cg2/fpbpf-test-$$"
	fi
}

# Helpers shared by the files that drive live sessions.
proc_state() { awk '{print $3}' "/proc/$1/stat" 2>/dev/null || echo gone; }
# Under emulation (the VM) everything is slower: waits for something to happen scale up.
WAIT_SCALE=1
[ -n "${FPBPF_IN_VM:-}" ] && WAIT_SCALE=6
# wait_for FILE REGEX [TENTHS]: until a line of FILE matches (default 10 s, scaled); status 1 if none.
wait_for() {
	local i
	for i in $(seq $((${3:-100} * WAIT_SCALE))); do grep -qE "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}
# ms_since T0 (date +%s%N): milliseconds elapsed.
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
# The BPF programs and links a process holds, as "prog_id: N" / "link_id: N" lines, read
# from its fdinfo: exact even when other fpbpf sessions run on the machine.
held_ids() { grep -hE '^(prog_id|link_id):' /proc/"$1"/fdinfo/* 2>/dev/null | tr -s ' \t' ' ' | sort -u; }
# How many of those still exist (bpftool finds them by id).
alive_count() {
	local kind id n=0
	while read -r kind id; do
		[ -n "$id" ] || continue
		if [ "$kind" = prog_id: ]; then bpftool prog show id "$id" >/dev/null 2>&1 && n=$((n + 1)); fi
		if [ "$kind" = link_id: ]; then bpftool link show id "$id" >/dev/null 2>&1 && n=$((n + 1)); fi
	done
	echo "$n"
}
# No target stopped: none of the pids is in state T.
none_stopped() {
	local p
	for p in "$@"; do [ "$(proc_state "$p")" = T ] && { echo "stopped:$p"; return; }; done
	echo none
}
