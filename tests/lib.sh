# Shared helpers for integration tests. Each test file calls `group NAME` per group and
# `ok`/`fail`/`skip` per case; run-integration.sh counts the status lines, and a group
# that prints no status at all counts as failed.
: "${FPBPF:?set FPBPF to the fpbpf binary}"
: "${VICTIMS:?set VICTIMS to the victims directory}"
VICTIM=$VICTIMS/victim
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fpbpf-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

group() { echo "GROUP $1"; }
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
