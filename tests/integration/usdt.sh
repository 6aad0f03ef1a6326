# USDT failpoints end to end: actions, triggers, filters, counts, delivery.
# DELIVERY=write|stop|auto selects the verdict delivery (the VM runs both).
. "$(dirname "$0")/../lib.sh"
D="--delivery=${DELIVERY:-auto}"

# count CASE RULE N WANT: run the victim for N calls; WANT is the "i:rc" list, space-joined.
# attach_bg PID RULE: attaches in the background (pid in $fpid) and waits until it is live.
attach_bg() {
	"$FPBPF" attach $D -p "$1" -e "$2" 2>"$TMP/err" &
	fpid=$!
	for _ in $(seq 100); do grep -q '^fpbpf: delivery' "$TMP/err" && break; sleep 0.1; done
}

count_case() {
	local got
	got=$(fp run $D -e "$2" -- "$VICTIM" count "$3" | grep -v injected | tr '\n' ' ' | sed 's/ $//')
	expect "$1" "$4" "$got"
}

group "actions"
count_case "return value" 'vfail = return(-7)' 3 "1:-7 2:-7 3:-7"
count_case "error by name" 'vfail = error(EIO)' 2 "1:-5 2:-5"
count_case "error by number" 'vfail = error(28)' 1 "1:-28"
count_case "off does nothing" 'vfail = off' 2 "1:0 2:0"
fp run $D -e 'vpoint = exit(7)' -- "$VICTIM" point >/dev/null; expect "exit(7)" 7 $?
fp run $D -e 'vpoint = panic' -- "$VICTIM" point >/dev/null; expect "panic aborts" 134 $?
fp run $D -e 'vpoint = signal(SIGTERM)' -- "$VICTIM" point >/dev/null; expect "signal(SIGTERM)" 143 $?
got=$(fp run $D -e 'vpoint = print' -- "$VICTIM" point)
expect "print only reports" "after point|1" "$got|$(grep -c 'inject fpbpf:vpoint.*action=print' "$TMP/err")"
fp run $D -e 'vpoint = yield' -- "$VICTIM" point >/dev/null; expect "yield continues" 0 $?
slept() { sed -n 's/^slept_ms=\([0-9]*\) cpu_ms=\([0-9]*\)$/\1 \2/p'; }
read -r ms cpu <<<"$(fp run $D -e 'vpoint = sleep(300)' -- "$VICTIM" sleep | slept)"
expect "sleep(300) sleeps 300ms+, giving the CPU up" yes "$([ "${ms:-0}" -ge 290 ] && [ "${ms:-0}" -lt 5000 ] && [ "${cpu:-999}" -lt 100 ] && echo yes || echo "no ($ms ms, cpu $cpu)")"
# fail-rs's delay: the same wait, busy (an old header would sleep instead).
read -r ms cpu <<<"$(fp run $D -e 'vpoint = delay(300)' -- "$VICTIM" sleep | slept)"
expect "delay(300) waits 300ms+ busily, as fail-rs's delay" yes "$([ "${ms:-0}" -ge 290 ] && [ "${ms:-0}" -lt 5000 ] && [ "${cpu:-0}" -ge 150 ] && echo yes || echo "no ($ms ms, cpu $cpu)")"
ms=$(fp run $D -e 'vpoint = off' -- "$VICTIM" sleep | slept | cut -d' ' -f1)
expect "no sleep without a rule" yes "$([ "${ms:-999}" -lt 100 ] && echo yes || echo "no ($ms)")"

# Failpoint strings as fail-rs, gofail and Neon users write them.
got=$(fp run $D -e 'vfail=1*return(-9);vpoint=print' -- "$VICTIM" count 2 | grep -v injected | tr '\n' ' ')
expect "a ';' list in -e: both rules in the session" "1:-9 2:0 |2" "$got|$(grep -cE '^ +-e1:1 (vfail|vpoint) ' "$TMP/err")"
got=$(FAILPOINTS='vfail=return(-4);;vpoint=off;' fp run $D --env FAILPOINTS -- "$VICTIM" count 1 | grep -v injected)
expect "--env FAILPOINTS reads the list unchanged" "1:-4" "$got"
fp run $D -e 'vpoint = exit' -- "$VICTIM" point >/dev/null; expect "bare exit is exit(1)" 1 $?
count_case "bare return returns 0" 'vfail = return' 1 "1:0"

group "triggers"
count_case "count then next term" 'vfail = 2*return(1)->return(2)' 4 "1:1 2:1 3:2 4:2"
count_case "count then off" 'vfail = 1*return(9)->off' 3 "1:9 2:0 3:0"
count_case "count alone runs out" 'vfail = 2*return(3)' 3 "1:3 2:3 3:0"
count_case "after=2" 'vfail = return(5) after=2' 4 "1:0 2:0 3:5 4:5"
count_case "when=2..3" 'vfail = return(5) when=2..3' 4 "1:0 2:5 3:5 4:0"
count_case "when=2+2" 'vfail = return(5) when=2+2' 6 "1:0 2:5 3:0 4:5 5:0 6:5"
count_case "when=3 only" 'vfail = return(5) when=3' 4 "1:0 2:0 3:5 4:0"
count_case "100% always" 'vfail = 100%return(1)' 3 "1:1 2:1 3:1"
k=$(fp run $D -e 'vfail = 50%return(1)' -- "$VICTIM" count 400 | sed -n 's/injected=//p')
# Binomial(400, 0.5): outside 120..280 has probability below 1e-20.
expect "50% injects about half" yes "$([ "${k:-0}" -gt 120 ] && [ "${k:-0}" -lt 280 ] && echo yes || echo "no ($k)")"
count_case "probability falls through to next term" 'vfail = 0.01%return(1)->return(2)' 2 "1:2 2:2"

group "filters"
count_case "arg1 integer" 'vfail = return(4) arg1=3' 4 "1:0 2:0 3:4 4:0"
count_case "arg2 glob" 'vfail = return(4) arg2=test_*' 4 "1:4 2:0 3:4 4:0"
count_case "arg2 glob no match" 'vfail = return(4) arg2=nomatch*' 2 "1:0 2:0"
count_case "comm glob match" 'vfail = return(4) comm=vic*' 2 "1:4 2:4"
count_case "comm mismatch" 'vfail = return(4) comm=other' 2 "1:0 2:0"
count_case "pid mismatch" 'vfail = return(4) pid=999999' 2 "1:0 2:0"
count_case "filters combine with when" 'vfail = return(4) arg2=test_* when=2' 6 "1:0 2:0 3:4 4:0 5:0 6:0"

group "concurrency"
k=$(fp run $D -e 'vfail = 5*return(1)' -- "$VICTIM" threads 300 4 | sed -n 's/injected=//p')
expect "5* across 4 threads injects exactly 5" 5 "$k"
k=$(fp run $D -e 'vfail = return(1) when=10..29' -- "$VICTIM" threads 100 4 | sed -n 's/injected=//p')
expect "when=10..29 across threads injects exactly 20" 20 "$k"

group "children"
got=$(fp run $D -e 'vfail = return(6)' -- "$VICTIM" fork | tr '\n' ' ')
expect "forked child is followed" "child:6 parent done " "$got"

group "events"
fp run $D --json -o "$TMP/ev.json" -e 'vfail = 2*return(1)' -- "$VICTIM" count 3 >/dev/null
got=$(python3 -c '
import json, sys
kinds = [json.loads(l)["type"] for l in open(sys.argv[1])]
ev = [json.loads(l) for l in open(sys.argv[1]) if json.loads(l)["type"] == "inject"]
s = [json.loads(l) for l in open(sys.argv[1]) if json.loads(l)["type"] == "summary"][0]["rules"][0]
print(kinds[0], len(ev), ev[0]["failpoint"], ev[0]["action"], ev[0]["value"], ev[1]["hit"], s["evaluated"], s["matched"], s["injected"])
' "$TMP/ev.json" 2>&1)
expect "json events and summary" "session 2 vfail return 1 2 3 3 2" "$got"
fp run $D -e 'vfail = return(1)' -e 'vpoint = exit(1)' -- "$VICTIM" count 1 >/dev/null
expect "summary marks never-hit rules" 1 "$(grep -c 'vpoint.*(never hit)' "$TMP/err")"
fp run $D -v -e 'vfail = return(1) arg1=2' -- "$VICTIM" count 2 >/dev/null
expect "-v reports every evaluation" "1 1" "$(grep -c ' eval .*vfail' "$TMP/err") $(grep -c ' inject .*vfail' "$TMP/err")"
head -1 "$TMP/err" | grep -q '^fpbpf: delivery: '; expect "first line names the delivery" 0 $?

group "pause"
# pause holds the hitting thread until the session ends; then it resumes on its own.
"$VICTIM" ticker 15000 >"$TMP/tick" &
vpid=$!
sleep 0.3
attach_bg "$vpid" 'vpoint = pause'
sleep 1
kill -INT "$fpid"
wait "$fpid"
wait "$vpid"
gap=$(sed -n 's/max_gap_ms=//p' "$TMP/tick")
expect "paused about 1s, resumed after detach" yes "$([ "${gap:-0}" -ge 700 ] && [ "${gap:-0}" -lt 14000 ] && echo yes || echo "no (gap $gap)")"
grep -q 'inject fpbpf:vpoint.*action=pause' "$TMP/err"; expect "pause event" 0 $?
st=$(awk '{print $3}' "/proc/$vpid/stat" 2>/dev/null || echo gone)
expect "victim not left stopped" gone "$st"

group "C++ and strings"
got=$(fp run $D -e 'cxx_fail = return(-3) arg2=test_*' -e 'cxx_fail = return(-4) arg3=never_*' -e 'cxx_point = print arg1=2' -- "$VICTIMS/cxxvictim" | tr '\n' ' ')
expect "C++ markers; a string in pages nothing touched still matches" "1:-3 2:-4 |1" "$got|$(grep -c 'inject fpbpf:cxx_point' "$TMP/err")"

group "libraries"
LIB=$VICTIMS/libfpvictim.so
got=$(fp run $D -e "usdt:$LIB:fpbpf:vlib = 1*return(8)" -- "$VICTIM" lib 2 | tr '\n' ' ')
expect "usdt:PATH rule reaches a shared library" "1:8 2:0 " "$got"
got=$(fp run $D -e 'vlib = return(8) when=2' -- "$VICTIM" lib 3 | tr '\n' ' ')
expect "run finds failpoints in the command's libraries" "1:0 2:8 3:0 " "$got"
fp run $D -e 'vlbi = return(8)' -- "$VICTIM" lib 1 >/dev/null
expect "unknown failpoint names the libraries searched" "2|yes" "$?|$(grep -q "no failpoint 'vlbi' in victim, libfpvictim.so; closest: 'vlib'" "$TMP/err" && echo yes)"

# Probes not made by fpbpf.h have no verdict slot: the controller acts from outside.
group "foreign probes"
PLAIN="usdt:$LIB:victim:plain_tick"
gap=$(fp run $D -e "$PLAIN = 1*sleep(300)" -- "$VICTIM" plain 1500 | sed -n 's/max_gap_ms=//p')
expect "sleep stops the process from outside" yes "$([ "${gap:-0}" -ge 290 ] && [ "${gap:-0}" -lt 1400 ] && echo yes || echo "no (gap $gap)")"
fp run $D -e "$PLAIN = signal(SIGUSR1)" -- "$VICTIM" plain 5000 >/dev/null
expect "signal at a foreign probe" 138 $?
fp run $D -e "$PLAIN = 1*panic" -- "$VICTIM" plain 5000 >/dev/null
expect "panic at a foreign probe aborts" 134 $?
fp run $D -e "$PLAIN = print arg1=3" -- "$VICTIM" plain 300 >/dev/null
expect "arg filter at a foreign probe" "1|hit=1" "$(grep -c 'inject victim:plain_tick' "$TMP/err")|$(grep -o 'hit=[0-9]*' "$TMP/err")"
# A string in a page the program never touched (DTRACE_PROBE2(p, step, i, "literal") in
# software that is not ours): read by a sleepable program, faulting the page in.
if "$FPBPF" doctor 2>/dev/null | grep -q '^sleepable_uprobes *ok'; then
	fp run $D -e 'plain_str = print arg2=beta-*' -- "$VICTIM" plainstr 3 >/dev/null
	expect "a string glob at another program's probe matches a page nothing touched" 3 "$(grep -c 'inject victim:plain_str' "$TMP/err")"
	CG=$(cgroup2_dir)
	if [ -n "$CG" ] && mkdir "$CG" 2>/dev/null; then
		fp run $D -e "usdt:$LIB:victim:plain_str = print arg2=beta-* cgroup=$CG" -- sh -c "echo \$\$ >$CG/cgroup.procs && exec $VICTIM plainstr 3" >/dev/null
		inside=$(grep -c 'inject victim:plain_str' "$TMP/err")
		fp run $D -e "usdt:$LIB:victim:plain_str = print arg2=beta-* cgroup=$CG" -- "$VICTIM" plainstr 3 >/dev/null
		outside=$(grep -c 'inject victim:plain_str' "$TMP/err")
		rmdir "$CG"
		[ -d "$TMP/cg2" ] && umount "$TMP/cg2" && rmdir "$TMP/cg2"
		expect "there, cgroup= still scopes by cgroup" "3|0" "$inside|$outside"
	else
		skip "cgroup= at another program's probe" "/sys/fs/cgroup is not a cgroup v2 hierarchy fpbpf can create a cgroup in"
	fi
else
	skip "a string at another program's probe in a page nothing touched" "no sleepable uprobes here (Linux 6.0+, see fpbpf doctor)"
fi
fp run $D -e "$PLAIN = return(1)" -- "$VICTIM" plain 100
expect "return refused without a slot" "2|yes" "$?|$(grep -q 'needs a failpoint made with fpbpf.h (this probe has no verdict slot)' "$TMP/err" && echo yes)"
"$VICTIM" plain 15000 >"$TMP/plain" &
vpid=$!
sleep 0.3
attach_bg "$vpid" 'plain_tick = 1*pause'
sleep 1
st=$(awk '{print $3}' "/proc/$vpid/stat")
kill -INT "$fpid"
wait "$fpid"
sleep 0.2
st_after=$(awk '{print $3}' "/proc/$vpid/stat")
kill "$vpid"; wait "$vpid" 2>/dev/null
expect "pause stops from outside, detach continues it" "T|S" "$st|$st_after"

group "attach --binary"
"$VICTIM" ticker 20000 >/dev/null &
vpid=$!
sleep 0.3
"$FPBPF" attach $D --binary "$VICTIM" -e 'vpoint = exit(9)' 2>"$TMP/err" &
fpid=$!
wait "$vpid"; rc=$?
kill -INT "$fpid"; wait "$fpid"
expect "every process of the binary is reached" 9 "$rc"
"$VICTIM" ticker 20000 >/dev/null &
vpid=$!
sleep 0.3
"$FPBPF" attach $D -p "$vpid" -e 'vlib = return(1)' -e 'vpoint = 1*exit(4)' 2>"$TMP/err" &
fpid=$!
wait "$vpid"; rc=$?
kill -INT "$fpid"; wait "$fpid"
expect "attach -p resolves failpoints in mapped libraries too" "4|yes" "$rc|$(grep -q 'vlib.*(never hit)' "$TMP/err" && echo yes)"
