# sessions.sh again with stop-and-write forced, where auto delivery picks direct write
# (the VM): one kernel then covers both deliveries. On a kernel without
# bpf_probe_write_user, sessions.sh already runs stop-and-write, so this is skipped.
here=$(dirname "$0")
if "$FPBPF" doctor 2>/dev/null | grep -q '^verdict delivery: stop-and-write'; then
	. "$here/../lib.sh"
	group "sessions (stop-and-write forced)"
	skip "sessions suite with --delivery=stop" "auto delivery on this kernel is already stop-and-write; sessions.sh covered it"
	exit 0
fi
DELIVERY=stop exec bash "$here/sessions.sh"
