# Live control, limits and teardown, driven the way a test harness drives fpbpf: a long
# running victim, rules changed while it runs, and checks that nothing stays behind.
# DELIVERY=write|stop|auto as in usdt.sh.
. "$(dirname "$0")/../lib.sh"
D="--delivery=${DELIVERY:-auto}"
S="--session fpbpf-test-$$"

# start_victim MODE MS: the victim in the background, pid in $vpid, output in $TMP/victim.
start_victim() {
	"$VICTIM" "$1" "$2" >"$TMP/victim" &
	vpid=$!
	for _ in $(seq 50); do grep -q '^ready' "$TMP/victim" && break; sleep 0.05; done
}
# start_session ARGS...: attach in the background (pid in $fpid), wait until it is live.
start_session() {
	"$FPBPF" attach $D $S "$@" 2>"$TMP/err" &
	fpid=$!
	for _ in $(seq 100); do grep -q '^fpbpf: delivery' "$TMP/err" && break; sleep 0.1; done
}
stop_session() {
	kill -INT "$fpid" 2>/dev/null
	wait "$fpid" 2>/dev/null
}
ctl() { "$FPBPF" "$1" $S "${@:2}" 2>"$TMP/ctlerr"; }
# end_victim: ends a ticker victim; $gap is its longest gap between hits in ms, prefixed
# with "stopped " when it was left stopped (then it is continued first, never left so).
end_victim() {
	local was=
	if [ "$(proc_state "$vpid")" = T ]; then
		was='stopped '
		kill -CONT "$vpid"
	fi
	kill -TERM "$vpid" 2>/dev/null
	wait "$vpid" 2>/dev/null
	gap="$was$(sed -n 's/max_gap_ms=//p' "$TMP/victim")"
}

group "set, wait, off, status"
start_victim serve 30000
start_session -p "$vpid" -e 'vpoint = print'
ctl set 'vfail = 3*return(-9)'
expect "set adds a rule" 0 $?
ctl wait vfail --hits 3 --timeout 20
expect "wait returns once 3 injections happened" 0 $?
got=$(ctl status --json | python3 -c 'import json,sys; d=json.loads(sys.stdin.readline()); print(d["v"], d["ok"], sorted((r["target"], r["source"]) for r in d["rules"]), d["targets"] == [int(sys.argv[1])])' "$vpid")
expect "status --json: version, rules, targets" "1 True [('vfail', 'control'), ('vpoint', 'inline')] True" "$got"
got=$(ctl status --json | python3 -c 'import json,sys; d=json.loads(sys.stdin.readline()); print([(r["target"], r["injected"]) for r in d["rules"] if r["target"] == "vfail"])')
expect "status counts the injections of the set rule" "[('vfail', 3)]" "$got"
ctl status | grep -q "set:1 .* vfail = 3\*return(-9)"
expect "status as text" 0 $?
ctl wait vfail --hits 4 --timeout 0.3
expect "wait times out with exit 1" "1|yes" "$?|$(grep -q 'wait: vfail: 3 of 4 injection(s) after 0.3s' "$TMP/ctlerr" && echo yes)"
ctl set 'vfail = return(-4)'
ctl wait vfail --hits 2 --timeout 20
expect "set replaces the rule on the same failpoint" "0|1" "$?|$(ctl status --json | python3 -c 'import json,sys; print(sum(r["target"] == "vfail" for r in json.loads(sys.stdin.readline())["rules"]))')"
ctl off vfail
expect "off removes it" 0 $?
sleep 0.3
before=$(grep -c '^fail' "$TMP/victim")
sleep 0.5
expect "no faults after off" "$before" "$(grep -c '^fail' "$TMP/victim")"
expect "faults came from both rules, in order" "yes" "$(grep '^fail' "$TMP/victim" | awk '{print $2}' | uniq | tr '\n' ' ' | grep -q '^-9 -4 $' && echo yes || echo "no: $(grep '^fail' "$TMP/victim" | awk '{print $2}' | uniq | tr '\n' ' ')")"
ctl off vfail
expect "off on a failpoint without rules: exit 2" "2|yes" "$?|$(grep -q "no rule on 'vfail'; rules are on: 'vpoint'" "$TMP/ctlerr" && echo yes)"
ctl set 'vfial = return(1)'
expect "set of an unknown failpoint suggests names" "2|yes" "$?|$(grep -q "no failpoint 'vfial' in victim, libfpvictim.so; closest: 'vfail'" "$TMP/ctlerr" && echo yes)"
ctl set 'vfail = retrun(1)'
expect "set with a typo: where and what" "2|yes" "$?|$(grep -q "set arg 1:1:9: unknown action 'retrun'" "$TMP/ctlerr" && echo yes)"
ctl wait nosuch --hits 1 --timeout 1
expect "wait on a failpoint without rules: exit 2" 2 $?
ctl wait vpoint --hits 1
expect "wait without --timeout is refused" 2 $?
printf 'status\nbogus\n' | python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(sys.stdin.read().encode()); f = s.makefile()
print(f.readline().startswith("{\"v\":1,\"ok\":true,\"type\":\"status\""), f.readline().strip())' "/run/fpbpf/fpbpf-test-$$.sock" >"$TMP/raw" 2>&1
expect "the socket speaks the documented protocol" "True {\"v\":1,\"ok\":false,\"error\":\"unknown command 'bogus', expected one of set, off, status, wait, reload\"}" "$(cat "$TMP/raw")"
expect "socket is root-only" "600" "$(stat -c %a "/run/fpbpf/fpbpf-test-$$.sock")"
stop_session
kill "$vpid"; wait "$vpid" 2>/dev/null
expect "socket removed at exit" no "$([ -e "/run/fpbpf/fpbpf-test-$$.sock" ] && echo yes || echo no)"

group "changing a rule wakes its waiters"
for how in off set; do
	start_victim ticker 120000
	start_session -p "$vpid" -e 'vpoint = pause'
	sleep 0.8
	if [ $how = off ]; then ctl off vpoint; else ctl set 'vpoint = print'; fi
	sleep 0.5
	ctl status >/dev/null
	alive=$?
	end_victim
	stop_session
	expect "$how resumes a paused thread while the session runs" yes "$([ "$alive" = 0 ] && [ "${gap:-0}" -ge 500 ] 2>/dev/null && [ "${gap:-0}" -lt 3000 ] && echo yes || echo "no (gap $gap, session alive $alive)")"
done
start_victim plain 120000
start_session -p "$vpid" -e 'plain_tick = pause'
sleep 0.6
st=$(proc_state "$vpid")
ctl off plain_tick
sleep 0.3
st_after=$(proc_state "$vpid")
[ "$st_after" = R ] && st_after=S
expect "off continues a process stopped at a probe without slot" "T|S" "$st|$st_after"
end_victim
stop_session

group "reload"
# The unchanged rule matches even calls and injects nothing, so its counters keep growing.
printf 'vfail = off arg2=prod_*\nvfail = 2*return(-3)\n' >"$TMP/rules.fp"
start_victim serve 30000
start_session -p "$vpid" -r "$TMP/rules.fp"
ctl wait vfail --hits 2 --timeout 20
rules_now() { ctl status --json | python3 -c 'import json,sys; print(sorted((r["text"], r["id"], r["matched"]) for r in json.loads(sys.stdin.readline())["rules"]))'; }
before=$(rules_now)
printf 'vfail = off arg2=prod_*\nvfail = 1*return(-6)\n' >"$TMP/rules.fp"
kill -HUP "$fpid"
reloaded=1
for _ in $(seq 50); do grep -q 'rule files re-read: 2 rule(s) changed' "$TMP/err" && reloaded=0 && break; sleep 0.1; done
ctl wait vfail --hits 1 --timeout 20
after=$(rules_now)
got=$(python3 -c '
import ast, sys
b = dict((t, (i, m)) for t, i, m in ast.literal_eval(sys.argv[1]))
a = dict((t, (i, m)) for t, i, m in ast.literal_eval(sys.argv[2]))
k = "vfail = off arg2=prod_*"
print(sorted(a), a[k][0] == b[k][0] and a[k][1] >= b[k][1], a["vfail = 1*return(-6)"][0] != b["vfail = 2*return(-3)"][0])' "$before" "$after" 2>&1)
expect "SIGHUP: the changed rule replaced, the unchanged one kept with its counters" "0|['vfail = 1*return(-6)', 'vfail = off arg2=prod_*'] True True" "$reloaded|$got"
printf 'vfail = retrun(1)\n' >"$TMP/rules.fp"
ctl reload
expect "a bad file changes nothing" "1|yes|2" "$?|$(grep -q "rules.fp:1:9: unknown action 'retrun'" "$TMP/ctlerr" && echo yes)|$(ctl status --json | python3 -c 'import json,sys; print(len(json.loads(sys.stdin.readline())["rules"]))')"
stop_session
kill "$vpid"; wait "$vpid" 2>/dev/null

group "sessions"
start_victim serve 30000
v1=$vpid
"$FPBPF" attach $D --session "a-$$" -p "$v1" -e 'vfail = return(-1)' 2>"$TMP/err1" &
f1=$!
start_victim ticker 30000
v2=$vpid
"$FPBPF" attach $D --session "b-$$" -p "$v2" -e 'vpoint = print' 2>"$TMP/err2" &
f2=$!
for _ in $(seq 100); do grep -q '^fpbpf: delivery' "$TMP/err1" && grep -q '^fpbpf: delivery' "$TMP/err2" && break; sleep 0.1; done
"$FPBPF" status 2>"$TMP/ctlerr" >/dev/null
expect "several sessions: a control command asks which" "2|yes" "$?|$(grep -qE "sessions are running \(.*a-$$.*\): pick one with --session NAME" "$TMP/ctlerr" && echo yes)"
got=$("$FPBPF" status --session "b-$$" --json | python3 -c 'import json,sys; print([r["target"] for r in json.loads(sys.stdin.readline())["rules"]])')
expect "each session sees only its rules" "['vpoint']" "$got"
"$FPBPF" off --session "b-$$" vfail 2>"$TMP/ctlerr"
expect "off in one session leaves the other" "2|1" "$?|$("$FPBPF" status --session "a-$$" --json | python3 -c 'import json,sys; print(len(json.loads(sys.stdin.readline())["rules"]))')"
"$FPBPF" attach $D --session "a-$$" -p "$v2" -e 'vpoint = print' 2>"$TMP/ctlerr"
expect "a taken session name is refused (exit 2)" "2|yes" "$?|$(grep -q "session 'a-$$' is already running" "$TMP/ctlerr" && echo yes)"
kill -INT "$f1" "$f2"; wait "$f1" "$f2" 2>/dev/null
kill "$v1" "$v2"; wait "$v1" "$v2" 2>/dev/null
"$FPBPF" status --session "a-$$" 2>"$TMP/ctlerr"
expect "no session: a clear error" "1|yes" "$?|$(grep -q "session 'a-$$': .*no such session is running" "$TMP/ctlerr" && echo yes)"

group "limits"
k=$(fp run $D --max-injections 4 -e 'vfail = return(1)' -- "$VICTIM" threads 200 4 | sed -n 's/injected=//p')
expect "--max-injections 4 across 4 threads injects exactly 4" "4|yes" "$k|$(grep -q 'max-injections 4 reached' "$TMP/err" && echo yes)"
k=$(fp run $D --max-injections 3 -e 'vfail = return(1) arg2=test_*' -e 'vfail = return(2)' -- "$VICTIM" count 10 | sed -n 's/injected=//p')
expect "the limit counts every rule together" 3 "$k"
start_victim serve 30000
t0=$(date +%s%N)
"$FPBPF" attach $D -p "$vpid" --duration 1 -e 'vfail = return(-2)' 2>"$TMP/err"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
n1=$(grep -c '^fail' "$TMP/victim")
sleep 0.4
st=$(proc_state "$vpid")
expect "--duration 1 detaches after a second, the target goes on" "0|yes|$n1|running" "$rc|$([ "$ms" -ge 900 ] && [ "$ms" -lt 5000 ] && echo yes || echo "no ($ms ms)")|$(grep -c '^fail' "$TMP/victim")|$([ "$st" != T ] && [ "$st" != gone ] && echo running || echo "$st")"
kill "$vpid"; wait "$vpid" 2>/dev/null
fp run $D --duration 0.5 -e 'vfail = return(-2)' -- "$VICTIM" serve 1500 >"$TMP/out"
expect "run --duration: faults stop, the command finishes, its status is fpbpf's" "0|yes" "$?|$(tail -1 "$TMP/out" | grep -qE '^served=[0-9]+ failed=[1-9]' && awk '/^fail/ {sub("at_ms=","",$3); if ($3 + 0 > 1000) bad=1} END {print bad ? "no" : "yes"}' "$TMP/out")"

group "targets exit and exec"
fp run $D --json -e 'vfail = return(4)' -- "$VICTIM" spawn 2 >"$TMP/out"
got=$(python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
kinds = [e["type"] for e in ev if e["type"] in ("fork", "exit", "exec")]
ex = [e for e in ev if e["type"] == "exit"]
print(kinds, [e.get("code") for e in ex], [e["file"] for e in ev if e["type"] == "exec"])' "$TMP/err")
expect "fork, child exit (code) and exec are reported" "['fork', 'exit', 'exec', 'exit'] [3, 0] ['/proc/self/exe']" "$got"
expect "failpoints keep working after the exec" "1:4 2:4 injected=2" "$(tr '\n' ' ' <"$TMP/out" | sed 's/ $//')"
start_victim serve 30000
start_session -p "$vpid" -e 'vfail = return(-1)'
kill -KILL "$vpid"; wait "$vpid" 2>/dev/null
for _ in $(seq 50); do kill -0 "$fpid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$fpid" 2>/dev/null && stop_session
expect "attach -p ends when its targets are gone, and says so" "yes|yes" "$(grep -q "exit pid=$vpid comm=victim signal=SIGKILL" "$TMP/err" && echo yes)|$(grep -q 'every target process has exited' "$TMP/err" && echo yes)"

group "teardown"
# Each way a session can end: afterwards the victim runs on unaffected, and not one of the
# programs and links the session held, no pinned object and no socket remains.
# leftovers IDS: "<programs and links still alive>|<pinned>|<sockets>"
leftovers() { echo "$(echo "$1" | alive_count)|$(ls /sys/fs/bpf | grep -c fp)|$(ls /run/fpbpf 2>/dev/null | grep -c "fpbpf-test-$$")"; }
"$FPBPF" run $D $S -e 'vpoint = 1*sleep(200)' -- "$VICTIM" ticker 1500 >"$TMP/out" 2>"$TMP/err" &
fpid=$!
for _ in $(seq 100); do grep -q '^fpbpf: delivery' "$TMP/err" && break; sleep 0.05; done
ids=$(held_ids "$fpid")
wait "$fpid"
expect "the command exits: its status, nothing left" "0|yes|yes|0|0|0" \
	"$?|$(grep -q max_gap "$TMP/out" && echo yes)|$([ "$(echo "$ids" | grep -c id:)" -ge 3 ] && echo yes || echo "no ids: $ids")|$(leftovers "$ids")"
for how in int term duration kill; do
	for site in marker plain; do
		mode=ticker rule='vpoint = pause'
		[ $site = plain ] && mode=plain rule='plain_tick = pause'
		start_victim $mode 120000
		args=(-p "$vpid" -e "$rule")
		[ $how = duration ] && args+=(--duration 1.5)
		start_session "${args[@]}"
		ids=$(held_ids "$fpid")
		sleep 0.7
		st=$(proc_state "$vpid")
		case $how in
		int) kill -INT "$fpid" ;;
		term) kill -TERM "$fpid" ;;
		kill) kill -KILL "$fpid" ;;
		esac
		wait "$fpid" 2>/dev/null
		sleep 0.3
		end_victim
		# A marker pause waits in the hitting thread; a probe without slot stops the process.
		want=S
		[ $site = plain ] && want=T
		[ "$st" = R ] && [ $site = marker ] && st=S
		expect "$how ($site pause): held, then ran on; nothing left" "$want|yes|yes|0|0|0" \
			"$st|$([ "${gap:-0}" -ge 500 ] 2>/dev/null && [ "${gap:-0}" -lt 5000 ] && echo yes || echo "no (gap $gap)")|$([ "$(echo "$ids" | grep -c id:)" -ge 3 ] && echo yes || echo "no ids: $ids")|$(leftovers "$ids")"
	done
done
grep -q 'guardian: the controller died; continued 1 held process' "$TMP/err"
expect "after SIGKILL the guardian continued the stopped process" 0 $?
