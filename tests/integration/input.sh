# Input fpbpf must refuse, or take whole, never half-read (issue 11): rule files that are
# not text, FIFOs, pipelined and NUL-holding requests, limits, many threads, thread ids,
# many files, flag names, JSON whatever names hold, idle clients, numbers out of range,
# and what fpbpf says. Each group can fail on the code before its fix.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_session.sh"
D="--delivery=${DELIVERY:-auto}"

group "B6, B7, W1: rule files that are not text"
printf 'vfail = off\n  \0vpoint = off\n' >"$TMP/nul.fp"
fp check "$TMP/nul.fp" >/dev/null
expect "a NUL byte: exit 2 with file:line:col" "2|yes" "$?|$(grep -q "nul.fp:2:3: NUL byte" "$TMP/err" && echo yes)"
fp check "$TMP" >/dev/null
expect "a directory is refused" "2|yes" "$?|$(grep -q "a directory, expected a rule file" "$TMP/err" && echo yes)"
t0=$(date +%s%N)
fp check /dev/zero >/dev/null
expect "a device is refused at once, not read" "2|yes|yes" "$?|$(grep -q "/dev/zero: a device" "$TMP/err" && echo yes)|$([ "$(ms_since "$t0")" -lt 2000 ] && echo yes)"
start_victim serve 30000
printf 'vfail = return(-3)\n' >"$TMP/r.fp"
session rl -p "$vpid" -r "$TMP/r.fp" -r <(echo 'vpoint = print')
rm "$TMP/r.fp"
mkdir "$TMP/r.fp"
ctl reload rl 2>"$TMP/rl.ctl"
rc=$?
n=$(ctl status rl --json | python3 -c 'import json,sys; print(len(json.loads(sys.stdin.readline())["rules"]))')
expect "reload after a rule file became a directory: refused, rules unchanged" "1|yes|2" "$rc|$(grep -q 'a directory' "$TMP/rl.ctl" && echo yes)|$n"
rmdir "$TMP/r.fp"
printf 'vfail = return(-4)\n' >"$TMP/r.fp"
out=$(ctl reload rl --json)
n=$(ctl status rl --json | python3 -c 'import json,sys; print(sorted(r["text"] for r in json.loads(sys.stdin.readline())["rules"]))')
expect "reload keeps the rules read from a pipe, and says so" "1|['vfail = return(-4)', 'vpoint = print']" \
	"$(echo "$out" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["kept_from_pipes"])')|$n"
stop rl
end_victim

group "B8: a FIFO named where a binary belongs"
mkfifo "$TMP/fifo"
start_victim serve 30000
session f -p "$vpid" -e 'vpoint = print'
t0=$(date +%s%N)
timeout 10 "$FPBPF" set --session "t$$-f" "usdt:$TMP/fifo:fpbpf:vfail = off" 2>"$TMP/f.ctl"
rc=$?
expect "refused at once, without blocking" "2|yes|yes" "$rc|$(grep -q 'not a regular file' "$TMP/f.ctl" && echo yes)|$([ "$(ms_since "$t0")" -lt 3000 ] && echo yes)"
stop f
end_victim

group "B9, W8: requests sent together, and a NUL in one"
start_victim serve 30000
session p -p "$vpid" -e 'vfail = off'
got=$(python3 - "$SOCK/t$$-p.sock" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(3)
s.sendall(b"wait vfail 1000000 200\nstatus\n")
f = s.makefile("rb")
try:
    a, b = json.loads(f.readline()), json.loads(f.readline())
    print(a.get("error"), b.get("type"))
except Exception as e:
    print("no answer:", type(e).__name__)
s.sendall(b"set vfail = return(1)\0 junk\n")
try:
    print(json.loads(f.readline()).get("error"))
except Exception as e:
    print("no answer:", type(e).__name__)
PY
)
expect "answered in order, and a NUL refused" "timeout status request line holds a NUL byte" "$(echo "$got" | tr '\n' ' ' | sed 's/ $//')"
expect "the NUL-cut rule was not set" "['vfail = off']" \
	"$(ctl status p --json | python3 -c 'import json,sys; print([r["text"] for r in json.loads(sys.stdin.readline())["rules"]])')"
stop p
end_victim

group "B10: the documented limits are real"
# One failpoint at 300 call sites, each with its own stack slot: 300 argument layouts,
# past libbpf's default of 256.
python3 - "$TMP/sites.c" 300 <<'PY'
import sys
n = int(sys.argv[2])
body = "\n".join(f"\t{{ long rc{i} = 0; if (FPBPF_FAIL(site, &rc{i}, x + {i})) s += (int)rc{i}; }}" for i in range(n))
open(sys.argv[1], "w").write(f'''#include <stdio.h>
#include "fpbpf.h"
int all(int x) {{
\tint s = 0;
{body}
\treturn s;
}}
int main(void) {{ printf("sum=%d\\n", all(0)); return 0; }}
''')
PY
gcc -O0 -I"$(dirname "$0")/../../include" "$TMP/sites.c" -o "$TMP/sites"
got=$(fp run $D -e 'site = 1*return(-1)' -- "$TMP/sites")
expect "a failpoint at 300 call sites works" "0|sum=-1" "$?|$got"
# 1025 probes: past 1024, refused at once, before anything attaches.
python3 - "$TMP/probes.c" 1025 <<'PY'
import sys
n = int(sys.argv[2])
body = "\n".join(f"\tSTAP_PROBE(p{i}, tick);" for i in range(n))
open(sys.argv[1], "w").write(f"#include <sys/sdt.h>\nint main(void) {{\n{body}\n\treturn 0;\n}}\n")
PY
gcc -O0 "$TMP/probes.c" -o "$TMP/probes"
t0=$(date +%s%N)
fp run $D -e 'tick = print' -- "$TMP/probes"
expect "1025 probes: a clear error at once" "2|yes|yes" "$?|$(grep -q 'too many probes (at most 1024 in a session)' "$TMP/err" && echo yes)|$([ "$(ms_since "$t0")" -lt 5000 ] && echo yes || echo "no ($(ms_since "$t0") ms)")"

group "B11: no cap on held processes"
got=$(fp run $D -e 'plain_tick = sleep(1000)' -- "$VICTIM" forkplain 100)
expect "100 children asleep at a probe are all held" "held=100 of 100|100" "$got|$(grep -E '^ +-e1:1 plain_tick' "$TMP/err" | awk '{print $5}')"

group "B12: a target with thousands of threads forks"
# Small kernels (the VM's) cap pids at 4096: make room for the threads, then put it back.
pid_max=$(cat /proc/sys/kernel/pid_max)
[ "$pid_max" -lt 8192 ] && echo 32768 >/proc/sys/kernel/pid_max
got=$(fp run $D -e 'vfail = return(9)' -- "$VICTIM" manythreads 4200)
[ "$pid_max" -lt 8192 ] && echo "$pid_max" >/proc/sys/kernel/pid_max
expect "the child of a process with 4201 threads is a target" "threads=4201 child:9" "$got"

group "B13: attach -p with a thread id"
start_victim tserve 30000
tid=$(awk '/^ready/ {print $3}' "$TMP/victim")
session t -p "$tid" -e 'vfail = return(-4)'
wait_for "$TMP/victim" '^fail -4' 50
expect "taken as its process, with a note" "yes|yes" \
	"$(grep -q "$tid is a thread of process $vpid" "$TMP/t.err" && echo yes)|$(grep -q '^fail -4' "$TMP/victim" && echo yes)"
stop t
end_victim

group "B14: every rule file reloads, however many"
start_victim serve 30000
args=()
for i in $(seq 66); do
	echo "# file $i" >"$TMP/f$i.fp"
	args+=(-r "$TMP/f$i.fp")
done
echo 'vfail = off' >"$TMP/f66.fp"
session m -p "$vpid" "${args[@]}"
echo 'vfail = return(-6)' >"$TMP/f66.fp"
out=$(ctl reload m --json)
wait_for "$TMP/victim" '^fail -6' 50
expect "the 66th file's change is applied" "1|yes" \
	"$(echo "$out" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["changed"] >= 1 and 1)')|$(grep -q '^fail -6' "$TMP/victim" && echo yes)"
stop m
end_victim

group "W3, W4: rules check refuses what run refuses"
printf 'sys:openat = off flags&=O_CREAT|O_BOGUS comm=x\n' >"$TMP/w3.fp"
fp check "$TMP/w3.fp" >/dev/null
expect "an unknown flag name is an error" "2|yes" "$?|$(grep -q "w3.fp:1:33: unknown flag name 'O_BOGUS'" "$TMP/err" && echo yes)"
for i in $(seq 9); do echo 'vfail = off'; done >"$TMP/w4.fp"
fp check "$TMP/w4.fp" >/dev/null
expect "a ninth rule on one failpoint, with its position" "2|yes" "$?|$(grep -q 'w4.fp:9:1: too many rules on .vfail. (at most 8' "$TMP/err" && echo yes)"

group "W5: --json output is valid JSON whatever names hold"
dir=$(printf "$TMP/bad\xff\"dir")
mkdir -p "$dir"
cp "$VICTIM" "$dir/victim"
cp "$VICTIMS/libfpvictim.so" "$dir/"
fp run $D --json -e "usdt:$dir/victim:fpbpf:vfail = return(-1)" -- "$dir/victim" count 1 >/dev/null
expect "events, summary and errors from a path with a quote and a non-UTF-8 byte" "ok|yes" \
	"$(all_json "$TMP/err")|$(grep -c '"type":"summary"' "$TMP/err" | grep -q 1 && echo yes)"
fp list --json "$dir/victim" >"$TMP/list.json"
expect "list --json" "ok" "$(all_json "$TMP/list.json")"
fp run --json -e 'vfail = bogus' -- "$VICTIM" count 1
expect "a rule error with --json is JSON" "ok" "$(all_json "$TMP/err")"

group "W6: idle control clients never lock root out"
start_victim serve 30000
session i -p "$vpid" -e 'vfail = off'
python3 - "$SOCK/t$$-i.sock" <<'PY' &
import socket, sys, time
conns = []
for _ in range(80):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    conns.append(s)
time.sleep(4)
PY
idle=$!
sleep 1
timeout 5 "$FPBPF" status --session "t$$-i" >/dev/null 2>"$TMP/i.ctl"
expect "status gets through 80 idle connections" 0 "$?"
kill "$idle"
wait "$idle" 2>/dev/null
stop i
end_victim

group "W7: numbers out of range are refused"
fp run $D -m 99999999999999999999999 -e 'vfail = off' -- "$VICTIM" count 1 >/dev/null
expect "--max-injections 1e23-sized" "2|yes" "$?|$(grep -q 'max-injections: expected a whole number' "$TMP/err" && echo yes)"
start_victim serve 30000
session n -p "$vpid" -e 'vfail = off'
ctl wait n vfail --hits 18446744073709551616 --timeout 1 2>"$TMP/n.ctl"
expect "wait --hits 2^64" "2|yes" "$?|$(grep -q 'hits: expected a whole number' "$TMP/n.ctl" && echo yes)"
got=$(python3 - "$SOCK/t$$-n.sock" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(3)
s.sendall(b"wait vfail 18446744073709551616 100\n")
print(json.loads(s.makefile().readline()).get("error", ""))
PY
)
expect "the protocol refuses it too" "yes" "$(echo "$got" | grep -q "HITS must be a whole number from 1 to 18446744073709551615, got '18446744073709551616'" && echo yes || echo "no: $got")"
stop n
end_victim

group "W10, W11: what is said"
fp doctor >"$TMP/doc"
expect "doctor names the case nothing can undo" 0 "$(grep -q 'only if the controller and its guardian are both SIGKILLed' "$TMP/doc"; echo $?)"
fp run $D -e 'vfail = return(4)' -- "$VICTIM" spawn 1 >/dev/null
expect "an exec event does not say probes stop applying" "yes|0" \
	"$(grep -q 'exec pid=' "$TMP/err" && echo yes)|$(grep -c 'no longer apply' "$TMP/err")"
start_victim serve 30000
session bs --binary "$VICTIM" -e 'vfail = off'
got=$(ctl status bs --json | python3 -c 'import json,sys; d=json.loads(sys.stdin.readline()); print(int(sys.argv[1]) in d["targets"], d["binary"] == sys.argv[2])' "$vpid" "$VICTIM")
expect "status of attach --binary lists the processes running it" "True True" "$got"
stop bs
end_victim


group "review: control clients and input"
start_victim serve 30000
session r -p "$vpid" -e 'vfail = off'
python3 - "$SOCK/t$$-r.sock" >"$TMP/r.py" 2>&1 <<'PY'
import json, socket, sys, time
path = sys.argv[1]
# 70 clients each start a long wait, then hang up: their places must free at once.
conns = []
for _ in range(70):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(b"wait vfail 100000000 300000\n")
    conns.append(s)
time.sleep(0.5)
for s in conns:
    s.close()
time.sleep(0.5)
s = socket.socket(socket.AF_UNIX)
s.connect(path)
s.settimeout(5)
f = s.makefile("rb")
s.sendall(b"status\r\n")                       # CRLF, as telnet sends
print("crlf", json.loads(f.readline()).get("type"))
s.sendall(b"x" * 5000 + b"\nstatus\n")          # an overlong line, then a good one
print("long", json.loads(f.readline()).get("error"), json.loads(f.readline()).get("type"))
PY
got=$(tr '\n' ' ' <"$TMP/r.py")
t0=$(date +%s%N)
ctl status r >/dev/null 2>&1
rc=$?
expect "clients that hang up in a wait free their place; CRLF and overlong lines" \
	"crlf status long request line too long status |0|yes" "$got|$rc|$([ "$(ms_since "$t0")" -lt 3000 ] && echo yes)"
stop r
end_victim
fp run -o /dev/full -e 'vfail = return(1)' -- "$VICTIM" count 2 >/dev/null
expect "events that cannot be written: an error and exit 1" "1|yes" "$?|$(grep -q 'cannot write events: No space left on device' "$TMP/err" && echo yes)"
fp check /dev/stdin <<<'vfail = return(1) arg1=99999999999999999999' >/dev/null
expect "a number past 64 bits is an error, not a glob" "2|yes" "$?|$(grep -q 'stdin:1:24: arg1=99999999999999999999: out of range' "$TMP/err" && echo yes)"
fp check /dev/stdin <<<'vfail = return(1) arg1=0xffffffffffffffff' >/dev/null
expect "an unsigned 64-bit value is a number" 0 "$?"
fp check /dev/stdin <<<'vfail = signal(SIGSTOP)' >/dev/null
expect "signal(SIGSTOP) is refused: it would outlive the session" "2|yes" "$?|$(grep -q 'would leave the process stopped' "$TMP/err" && echo yes)"
fp run -e 'vfail = return(1) # why' -- "$VICTIM" count 1 >/dev/null
expect "a comment in -e says so" "2|yes" "$?|$(grep -q "'#' starts a comment only in rule files" "$TMP/err" && echo yes)"
fp run -e 'usdt:/nonexistent/x:fpbpf:vfail = return(1)' -- "$VICTIM" count 1 >/dev/null
expect "a missing usdt: file is named with the rule's position" "2|yes" "$?|$(grep -q -- '-e1:1:1: /nonexistent/x: No such file' "$TMP/err" && echo yes)"
fp list -p 4000000 >/dev/null
expect "list -p of no process is a runtime failure" 1 "$?"
"$FPBPF" --json >"$TMP/out" 2>"$TMP/err"
expect "fpbpf --json alone is JSON too" "2|ok" "$?|$(all_json "$TMP/err")"
"$FPBPF" help --json run >"$TMP/out" 2>"$TMP/err"
expect "help --json is JSON" "0|ok|yes" "$?|$(all_json "$TMP/out")|$(grep -q 'Usage: fpbpf run' "$TMP/out" && echo yes)"
