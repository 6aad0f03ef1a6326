# The command line: list, check, and the errors users see for bad input.
. "$(dirname "$0")/../lib.sh"

group "list"
out=$(fp list "$VICTIM")
echo "$out" | grep -q 'fpbpf:vfail \[value\] args="8@[^ ]* 8@[^ ]* -4@\$514 .*semaphore=0x[1-9a-f]' ; expect "list shows value failpoint" 0 $?
echo "$out" | grep -q 'fpbpf:vpoint \[point\]'; expect "list shows side-effect failpoint" 0 $?
n=$(fp list --json "$VICTIM" | python3 -c 'import json,sys; print(sum(1 for l in sys.stdin if json.loads(l)["name"]=="vfail"))')
expect "list --json" 1 "$n"
"$VICTIM" ticker 30000 >/dev/null &
vp=$!
sleep 0.2
out=$(fp list -p "$vp")
echo "$out" | grep -q "$(basename "$VICTIM") fpbpf:vpoint"; expect "list -p PID" 0 $?
echo "$out" | grep -q "libfpvictim.so fpbpf:vlib \[value\]"; expect "list -p PID includes mapped libraries" 0 $?
fp list "$VICTIMS/libfpvictim.so" | grep -q 'victim:plain_tick \[usdt\] args="-8@[^"]*" semaphore=0x0'
expect "list a library, foreign probes included" 0 $?
kill "$vp"; wait "$vp" 2>/dev/null
fp list /etc/passwd; expect "list rejects non-ELF" "1|yes" "$?|$(grep -q 'not an ELF file' "$TMP/err" && echo yes)"

group "check"
printf '# ok\nvfail = 20%%3*return(-5)->off\nvpoint = sleep(5) comm=vic*\n' >"$TMP/good.fp"
printf 'vfail = return(1)\nvpoint = retrun(1)\n' >"$TMP/bad.fp"
out=$(fp check "$TMP/good.fp"); expect "check accepts good file" "0|2 rule(s) OK" "$?|$out"
fp check "$TMP/bad.fp"; expect "check exit 2" 2 $?
expect "check error position" "fpbpf: $TMP/bad.fp:2:10: unknown action 'retrun', expected one of off, return, error, sleep, pause, yield, print, panic, exit, signal, delay (did you mean 'return'?)" "$(cat "$TMP/err")"
printf 'vfial = return(1)\n' >"$TMP/typo.fp"
fp check --binary "$VICTIM" "$TMP/typo.fp"; rc=$?
expect "check --binary: unknown failpoint suggests" "2|yes" "$rc|$(grep -q "typo.fp:1:1: no failpoint 'vfial' in victim; closest: 'vfail'" "$TMP/err" && echo yes)"
printf 'vpoint = return(1)\n' >"$TMP/kind.fp"
fp check --binary "$VICTIM" "$TMP/kind.fp"
expect "return refused at FPBPF_POINT" "2|yes" "$?|$(grep -q 'kind.fp:1:10: return .* needs a value failpoint' "$TMP/err" && echo yes)"
printf 'vfail = return(1) arg4=3\n' >"$TMP/args.fp"
fp check --binary "$VICTIM" "$TMP/args.fp"
expect "arg filter beyond the probe's arguments" "2|yes" "$?|$(grep -q 'arg4= filter, but fpbpf:vfail has 2 context' "$TMP/err" && echo yes)"

group "';' lists and --env"
printf 'vfail=1*return(-9);vpoint=print # one line, two rules\nvpoint = off; vfail = off\n' >"$TMP/list.fp"
out=$(fp check "$TMP/list.fp"); expect "a rule file line may hold a ';' list" "0|4 rule(s) OK" "$?|$out"
fp run -e 'vfail=return(1);vpoint=retrun' -- "$VICTIM" count 1
expect "an error in a list points into the whole line" "2|yes" "$?|$(grep -q -- "-e1:1:24: unknown action 'retrun'" "$TMP/err" && echo yes)"
fp run -e 'vfail=print("a;b")' -- "$VICTIM" count 1 >/dev/null
expect "a ';' in quotes is the rule's own" "0|1" "$?|$(grep -c 'action=print' "$TMP/err")"
env -u NOPE_FP "$FPBPF" run --env NOPE_FP -- "$VICTIM" count 1 2>"$TMP/err"
expect "--env of an unset variable" "2|yes" "$?|$(grep -q -- '--env NOPE_FP: the variable is not set' "$TMP/err" && echo yes)"
FAILPOINTS='vfail=return(1);vpoint=nope(' fp run --env FAILPOINTS -- "$VICTIM" count 1
expect "an error in \$FAILPOINTS names it" "2|yes" "$?|$(grep -q '^fpbpf: \$FAILPOINTS:1:' "$TMP/err" && echo yes)"
fp run -e 'vfail = return("x")' -- "$VICTIM" count 1
expect "a string return value is refused with the reason" "2|yes" "$?|$(grep -q 'returns a C integer' "$TMP/err" && echo yes)"

group "a script as the command"
printf '#!/bin/sh\nexec "%s" count 2\n' "$VICTIM" >"$TMP/v.sh" && chmod +x "$TMP/v.sh"
fp run -e 'vfail = return(1)' -- "$TMP/v.sh" >/dev/null
expect "a failpoint by name: refused, saying how to name the binary" "2|yes" "$?|$(grep -q "the command is a script.*usdt:PATH:fpbpf:vfail" "$TMP/err" && echo yes)"
got=$(fp run -e "usdt:$VICTIM:fpbpf:vfail = return(-3)" -- "$TMP/v.sh" | tr '\n' ' ')
expect "usdt:PATH reaches the binary the script runs" "1:-3 2:-3 injected=2 " "$got"

group "run errors"
fp run -e 'nosuch = return(1)' -- "$VICTIM" count 1
expect "run: unknown failpoint is exit 2" "2|yes" "$?|$(grep -q "\-e1:1:1: no failpoint 'nosuch'" "$TMP/err" && echo yes)"
fp run -e 'vfail = bogus' -- "$VICTIM" count 1; expect "run: bad rule exit 2" 2 $?
fp run -- "$VICTIM"; expect "run: no rules" "2|yes" "$?|$(grep -q 'no rules' "$TMP/err" && echo yes)"
fp run -e 'vfail = off' -- /nonexistent/cmd; expect "run: missing command" 127 $?
fp attach -e 'vfail = off' -p 1; expect "attach refuses pid 1" "2|yes" "$?|$(grep -q 'refusing to target pid 1' "$TMP/err" && echo yes)"
fp attach -e 'vfail = off'; expect "attach needs a target" 2 $?
fp --json run -e 'vfail = nope' -- "$VICTIM" 2>/dev/null; true
fp run --json -e 'vfail = nope' -- "$VICTIM"
python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).readline()); assert d["type"]=="error" and "unknown action" in d["message"]' "$TMP/err"
expect "--json errors are JSON" 0 $?
fp frobnicate; expect "unknown command" 2 $?
fp help run | grep -q 'Usage: fpbpf run'; expect "help run" 0 $?

group "--json: every line is JSON, in every command"
# each_json FILE...: "ok" when every line of every file is one JSON object with "v":1.
each_json() {
	python3 -c '
import json, sys
for path in sys.argv[1:]:
    for l in open(path, "rb"):
        try:
            d = json.loads(l.decode("utf-8"))
            assert isinstance(d, dict) and d.get("v") == 1
        except Exception:
            print("not a v1 JSON object in %s: %r" % (path, l[:100])); sys.exit(0)
print("ok")' "$@"
}
printf 'vfail = off\n' >"$TMP/ok.fp"
printf 'vfail = retrun(1)\n' >"$TMP/bad.fp"
# json_case NAME ARGS...: fpbpf's stdout and stderr; run's stdout is the command's own.
json_case() {
	local name=$1 files
	shift
	"$FPBPF" "$@" >"$TMP/j.out" 2>"$TMP/j.err" </dev/null
	files=("$TMP/j.out" "$TMP/j.err")
	[ "$1" = run ] && files=("$TMP/j.err")
	expect "$name" "ok|yes" "$(each_json "${files[@]}")|$([ -s "$TMP/j.out" ] || [ -s "$TMP/j.err" ] && echo yes)"
}
json_case "run" run --json -e 'vfail = 1*return(1)' -- "$VICTIM" count 2
json_case "run with a bad rule" run --json -e 'vfail = bogus' -- "$VICTIM" count 1
json_case "run with -v" run -v --json -e 'vfail = off' -- "$VICTIM" count 1
json_case "attach refused" attach --json -p 1 -e 'vfail = off'
json_case "list" list --json "$VICTIM"
json_case "list of a file without probes" list --json /bin/true
json_case "list of no ELF" list --json /etc/passwd
json_case "check" check --json "$TMP/ok.fp"
json_case "check a bad file" check --json "$TMP/bad.fp"
json_case "doctor" doctor --json
json_case "unknown option" check --json --bogus "$TMP/ok.fp"
"$VICTIM" serve 30000 >/dev/null &
vp=$!
"$FPBPF" attach --json --session "j$$" -p "$vp" -e 'vfail = off' >"$TMP/js.out" 2>"$TMP/js.err" &
jp=$!
wait_for "$TMP/js.err" '"type":"session"' 100
json_case "set" set --json --session "j$$" 'vfail = 1*return(-1)'
json_case "set refused" set --json --session "j$$" 'nosuch = off'
json_case "wait" wait --json --session "j$$" vfail --hits 1 --timeout 5
json_case "wait timeout" wait --json --session "j$$" vfail --hits 5 --timeout 0.2
json_case "status" status --json --session "j$$"
json_case "off" off --json --session "j$$" vfail
json_case "off refused" off --json --session "j$$" vfail
json_case "reload" reload --json --session "j$$"
json_case "no such session" status --json --session "none$$"
kill -INT "$jp"
wait "$jp"
kill "$vp"
wait "$vp" 2>/dev/null
expect "a session's own stream" "ok" "$(each_json "$TMP/js.out" "$TMP/js.err")"

group "control client reads any valid JSON"
# A session that answers with spaces and a counter past 2^53: a real parser keeps it exact.
python3 - "/run/fpbpf/fake$$.sock" <<'PY' &
import os, socket, sys
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX)
s.bind(path)
os.chmod(path, 0o600)
s.listen(1)
c, _ = s.accept()
c.recv(100)
c.sendall(b'{ "v" : 1, "ok" : true, "type": "status", "session": "fake", "pid": 1, "delivery": "stop",'
          b' "uptime": 1.5, "rules": [ { "id": 0, "rule": "f:1", "backend": "usdt", "evaluated": 9007199254740993,'
          b' "matched": 1, "injected": 1, "text": "x = off" } ], "targets": [ 7 ], "injected": 9007199254740993,'
          b' "max_injections": 0, "limit_reached": false, "dropped": 0 }\n')
c.close()
os.unlink(path)
PY
fake=$!
for _ in $(seq 50); do [ -S "/run/fpbpf/fake$$.sock" ] && break; sleep 0.1; done
out=$("$FPBPF" status --session "fake$$" 2>"$TMP/err")
wait "$fake"
expect "spaces and a 54-bit counter" "yes|yes" \
	"$(echo "$out" | grep -q 'injected: 9007199254740993' && echo yes)|$(echo "$out" | grep -q '9007199254740993 .* 1 .* 1 .*x = off' && echo yes)"

group "exit statuses"
fp check --bogus x; expect "an unknown option is exit 2" 2 $?
fp wait vfail; expect "wait without --timeout is exit 2" 2 $?
fp status --session "none$$"; expect "no such session is exit 1" 1 $?
fp run -e 'vfail = off' -- /nonexistent; expect "a missing command is 127" 127 $?
fp run --duration 0.0001 -e 'vfail = off' -- "$VICTIM" count 1; expect "--duration finer than a millisecond is exit 2" 2 $?
fp help run | grep -q -- '--max-injections N'; expect "help comes from the option table" 0 $?
fp check --help | grep -q -- '--json'; expect "every command's help lists --json" 0 $?
# --backend's help names every backend the ladder has (doctor lists them all, ok or not).
all=$("$FPBPF" doctor 2>/dev/null | awk '$1 ~ /^backend_/ { print substr($1, 9) }' | xargs)
missing=$(for b in $all; do "$FPBPF" help run | grep -qw -- "$b" || printf '%s ' "$b"; done)
expect "run --help names every backend" "listed|" "${all:+listed}|$missing"

group "ABI and build"
# A marker built with another fpbpf.h ABI is refused, naming both versions.
src=$(cd "$(dirname "$0")/../.." && pwd)
sed 's/^#define FPBPF_ABI_VERSION .*/#define FPBPF_ABI_VERSION 3/' "$src/include/fpbpf.h" >"$TMP/fpbpf.h"
printf '#include "fpbpf.h"\nint main(void) { int rc = 0; if (FPBPF_FAIL(abi_probe, &rc)) return rc; return 0; }\n' >"$TMP/abi.c"
gcc -O2 -I"$TMP" "$TMP/abi.c" -o "$TMP/abi"
fp run -e 'abi_probe = return(1)' -- "$TMP/abi"
expect "a marker of another ABI is refused" "2|yes" "$?|$(grep -q "abi_probe in .* was built with fpbpf.h ABI 3, and this fpbpf speaks ABI 2" "$TMP/err" && echo yes)"
# The BPF object builds where the running kernel has no BTF to dump (a package builder).
if unshare -m true 2>/dev/null && [ -e /sys/kernel/btf/vmlinux ]; then
	unshare -m sh -c "mount --bind /dev/null /sys/kernel/btf/vmlinux && make -s -C '$src' OUTPUT='$TMP/b' '$TMP/b/injector.bpf.o'" >"$TMP/build.log" 2>&1
	expect "the BPF object builds without /sys/kernel/btf/vmlinux" "0|yes" "$?|$([ -s "$TMP/b/injector.bpf.o" ] && echo yes)"
else
	skip "the BPF object builds without /sys/kernel/btf/vmlinux" "no mount namespaces or no kernel BTF to hide here"
fi
