# Helpers for the files that drive live sessions (sessions.sh, input.sh): victims in the
# background, named sessions, their summaries. Sourced after lib.sh; $D is the delivery.
SOCK=/run/fpbpf

# start_victim MODE ARG [ENV=V...]: the victim in the background ($vpid, output in $TMP/victim).
start_victim() {
	local mode=$1 arg=$2
	shift 2
	env "$@" "$VICTIM" "$mode" "$arg" >"$TMP/victim" &
	vpid=$!
	wait_for "$TMP/victim" '^ready' 50
}
# session NAME ARGS...: attach in the background, pid in ${fp[NAME]}, stderr in $TMP/NAME.err.
declare -A fp
session() {
	local name=$1
	shift
	rm -f "$TMP/$name.json"	# a file of an earlier session of this name is no sign of life
	"$FPBPF" attach $D --session "t$$-$name" "$@" 2>"$TMP/$name.err" &
	fp[$name]=$!
	for _ in $(seq $((100 * WAIT_SCALE))); do
		grep -qsE '^fpbpf: delivery|"type":"session"' "$TMP/$name.err" "$TMP/$name.json" && return
		sleep 0.1
	done
}
stop() {
	local name
	for name in "$@"; do
		kill -INT "${fp[$name]}" 2>/dev/null
		wait "${fp[$name]}" 2>/dev/null
	done
}
end_victim() {
	[ "$(proc_state "$vpid")" = T ] && kill -CONT "$vpid"
	kill -TERM "$vpid" 2>/dev/null
	wait "$vpid" 2>/dev/null
}
# The JSON summary of a session run with --json -o FILE: "injected taken" of its rule.
summary_of() {
	python3 -c '
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if "\"summary\"" in l][0]["rules"][0]
print(s["injected"], s["taken"])' "$1" 2>/dev/null || echo "no summary"
}
# Every line of FILE is a JSON object: "ok", or the first line that is not.
all_json() {
	python3 -c '
import json, sys
for l in open(sys.argv[1], "rb"):
    try:
        json.loads(l.decode("utf-8"))
    except Exception:
        print("not JSON:", l[:120]); sys.exit(0)
print("ok")' "$1"
}
ctl() { "$FPBPF" "$1" --session "t$$-$2" "${@:3}"; }
guardian_of() { ps -o pid=,sid= --ppid "$1" | awk '$1 == $2 {print $1}'; }

