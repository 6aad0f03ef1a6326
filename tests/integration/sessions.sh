# Sessions that compose and end cleanly (issue 11): two sessions on one process, a
# control client that never reads, signals, the guardian, a full event buffer, counts at
# scale, and every way a session ends. Each group can fail on the code before its fix.
# DELIVERY=write|stop|auto as in usdt.sh; the VM runs this file in both modes.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_session.sh"
D="--delivery=${DELIVERY:-auto}"

group "B1: two sessions on one process compose"
for rules in 'error(EIO) error(ENOSPC)' 'error(EIO) error(EIO)'; do
	set -- $rules
	start_victim serve 60000
	session a -p "$vpid" --json -o "$TMP/a.json" -e "vfail = $1"
	session b -p "$vpid" --json -o "$TMP/b.json" -e "vfail = $2"
	wait_for "$TMP/b.json" '"type":"inject"' 50
	sleep 0.8
	stop b a
	end_victim
	fails=$(grep -c '^fail' "$TMP/victim")
	read -r ia ta <<<"$(summary_of "$TMP/a.json")"
	read -r ib tb <<<"$(summary_of "$TMP/b.json")"
	# Each fault the target saw was injected by one session; the one attached last took
	# every hit both wanted, and the other counted those as taken.
	expect "$1 + $2: the target lives, one verdict per hit, the last attached wins" \
		"served|$fails|yes" \
		"$(tail -1 "$TMP/victim" | cut -c1-6)|$((ia + ib))|$([ "${ta:-0}" -gt 0 ] && [ "${tb:-1}" = 0 ] && echo yes || echo "no (taken a=$ta b=$tb)")"
done
# run + attach --binary on the same file.
"$FPBPF" run $D --session "t$$-run" -e 'vfail = error(EIO)' -- "$VICTIM" serve 60000 >"$TMP/victim" 2>"$TMP/run.err" &
rpid=$!
wait_for "$TMP/victim" '^ready' 50
session bin --binary "$VICTIM" -e 'vfail = error(ENOSPC)'
wait_for "$TMP/victim" '^fail -28' 50
sleep 0.5
kill -TERM "$(awk '/^ready/ {print $2}' "$TMP/victim")"
wait "$rpid"
rc=$?
stop bin
expect "run + attach --binary on the same file: the command ends normally" "0|served" "$rc|$(tail -1 "$TMP/victim" | cut -c1-6)"
# A process held by two sessions goes on only when neither holds it.
start_victim plain 60000 VICTIM_GAPS=1
session a -p "$vpid" -e 'plain_tick = sleep(1500)'
wait_for "$TMP/a.err" 'inject victim:plain_tick' 50
session b -p "$vpid" -e 'plain_tick = 1*sleep(200)'
wait_for "$TMP/b.err" 'inject victim:plain_tick' 80
sleep 1.8
lines=$(wc -l <"$TMP/victim")
stop a b
end_victim
# Gaps ended by the sessions' own end are not counted: only those printed before.
short=$(head -n "$lines" "$TMP/victim" | awk -F= '/^gap_ms/ && $2 > 150 && $2 < 1300' | tr '\n' ' ')
expect "one session's release never cuts another's sleep short" "|none" "$short|$(none_stopped "$vpid")"

group "B2: a control client that never reads blocks nothing"
start_victim serve 30000
session a -p "$vpid" -e 'vfail = return(-1)'
# The hog sends status requests for 8 s and never reads a reply.
python3 - "$SOCK/t$$-a.sock" >"$TMP/hog" 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.setblocking(False)
end = time.time() + 8
while time.time() < end:
    try:
        s.send(b"status\n" * 64)
    except BlockingIOError:
        time.sleep(0.01)
    except OSError:
        break
time.sleep(max(0, end - time.time()))
PY
hog=$!
sleep 1.5
before=$(grep -c '^fail' "$TMP/victim")
t0=$(date +%s%N)
timeout 3 "$FPBPF" status --session "t$$-a" >/dev/null 2>&1
st=$?
ms=$(ms_since "$t0")
sleep 0.5
after=$(grep -c '^fail' "$TMP/victim")
t0=$(date +%s%N)
kill -INT "${fp[a]}"
timeout 3 tail -s 0.05 --pid="${fp[a]}" -f /dev/null
ended=$(ms_since "$t0")
kill -9 "${fp[a]}" 2>/dev/null
wait "${fp[a]}" 2>/dev/null
expect "while it floods: others are answered, the target runs, SIGINT ends the session" "0|yes|yes|none" \
	"$st|$([ "$after" -gt "$before" ] && echo yes || echo "no ($before -> $after)")|$([ "$ended" -lt 2500 ] && echo yes || echo "no ($ended ms)")|$(none_stopped "$vpid")"
kill "$hog" 2>/dev/null
wait "$hog" 2>/dev/null
end_victim

group "B3: SIGINT and SIGTERM end a session with held targets"
# run_held SIG RULE MODE [ENV]: fpbpf's exit status, how long it took, the victim's state.
run_held() {
	local sig=$1 rule=$2 mode=$3 t0
	shift 3
	env "$@" "$FPBPF" run $D --session "t$$-held" -e "$rule" -- "$VICTIM" "$mode" 30000 >"$TMP/victim" 2>"$TMP/held.err" &
	rpid=$!
	wait_for "$TMP/held.err" 'inject ' 80
	sleep 0.3
	t0=$(date +%s%N)
	kill "-$sig" "$rpid"
	timeout 10 tail -s 0.05 --pid="$rpid" -f /dev/null
	held_ms=$(ms_since "$t0")
	kill -9 "$rpid" 2>/dev/null
	wait "$rpid"
	held_rc=$?
}
run_held INT 'plain_tick = pause' plain
expect "SIGINT, process stopped at a probe: ends at once, the command gets SIGINT" "130|yes" "$held_rc|$([ "$held_ms" -lt 1500 ] && echo yes || echo "no ($held_ms ms)")"
run_held TERM 'plain_tick = pause' plain
expect "SIGTERM, process stopped at a probe: the command handles it and ends" "0|yes|yes" \
	"$held_rc|$([ "$held_ms" -lt 1500 ] && echo yes || echo "no ($held_ms ms)")|$(grep -q max_gap "$TMP/victim" && echo yes)"
run_held TERM 'vpoint = pause' ticker
expect "SIGTERM, thread paused in a marker: the command handles it and ends" "0|yes" "$held_rc|$([ "$held_ms" -lt 1500 ] && echo yes || echo "no ($held_ms ms)")"
# A command that ignores SIGINT: the first ^C ends the session, the second ends fpbpf.
VICTIM_IGNORE_INT=1 "$FPBPF" run $D --session "t$$-ign" -e 'vpoint = print' -- "$VICTIM" ticker 20000 >"$TMP/victim" 2>"$TMP/ign.err" &
rpid=$!
wait_for "$TMP/ign.err" 'inject ' 80
kill -INT "$rpid"
sleep 0.5
alive=$(kill -0 "$rpid" 2>/dev/null && echo running)
t0=$(date +%s%N)
kill -INT "$rpid"
timeout 5 tail -s 0.05 --pid="$rpid" -f /dev/null
ms=$(ms_since "$t0")
wait "$rpid"
rc=$?
vp=$(pgrep -f "victim ticker 20000" | head -1)
expect "a second SIGINT ends fpbpf at once; the command goes on unharmed" "running|yes|130|yes" \
	"$alive|$([ "$ms" -lt 1000 ] && echo yes || echo "no ($ms ms)")|$rc|$([ -n "$vp" ] && [ "$(proc_state "$vp")" != T ] && echo yes || echo "no ($vp $(proc_state "$vp"))")"
[ -n "$vp" ] && kill -9 "$vp"

group "B4: the controller outlives its guardian"
"$FPBPF" run $D --session "t$$-g" -e 'vfail = return(-2)' -- "$VICTIM" serve 2500 >"$TMP/victim" 2>"$TMP/g.err" &
rpid=$!
wait_for "$TMP/victim" '^ready' 50
g=$(guardian_of "$rpid")
kill -9 "$g"
# A slow machine takes a while to notice and fork: wait for the new one (up to 5 s).
for _ in $(seq 50); do
	g2=$(guardian_of "$rpid")
	[ -n "$g2" ] && [ "$g2" != "$g" ] && break
	sleep 0.1
done
wait "$rpid"
rc=$?
expect "killing the guardian: a new one, and fpbpf ends with the command's status" "0|yes|yes|no" \
	"$rc|$([ -n "$g2" ] && [ "$g2" != "$g" ] && echo yes || echo "no ($g -> $g2)")|$(grep -q 'the guardian died; a new one' "$TMP/g.err" && echo yes)|$([ -e "$SOCK/t$$-g.sock" ] && echo yes || echo no)"
# The new guardian does the old one's job: after a SIGKILL of the controller, held
# processes go on.
start_victim plain 20000
session g2 -p "$vpid" -e 'plain_tick = pause'
g=$(guardian_of "${fp[g2]}")
kill -9 "$g"
sleep 0.5
wait_for "$TMP/g2.err" 'inject victim:plain_tick' 50
kill -9 "${fp[g2]}"
wait "${fp[g2]}" 2>/dev/null
sleep 0.5
expect "the new guardian continues what a killed controller held" "S|yes" \
	"$(st=$(proc_state "$vpid"); [ "$st" = R ] && echo S || echo "$st")|$(grep -q 'continued 1 held' "$TMP/g2.err" && echo yes)"
end_victim

group "B5: a full event buffer loses no injection"
k=$(fp run $D -v -e 'vfail = 5*error(EIO) after=60000' -- "$VICTIM" threads 20000 8 2>/dev/null | sed -n 's/injected=//p')
got=$(grep -E '^ +-e1:1 vfail' "$TMP/err" | awk '{print $5}')
expect "the victim sees 5 and the summary says 5" "5|5" "$k|$got"

group "W9: teardown continues only what fpbpf holds"
start_victim plain 30000
session h -p "$vpid" -e 'plain_tick = pause'
wait_for "$TMP/h.err" 'inject victim:plain_tick' 50
ctl off h plain_tick
sleep 0.3
kill -STOP "$vpid"
stop h
sleep 0.3
expect "a process the user stopped stays stopped" T "$(proc_state "$vpid")"
end_victim

group "a marker's wait ends with the session it waits on"
# Another session keeps the failpoint's semaphore up; the one whose pause holds the
# thread ends (SIGINT, or SIGKILL): the thread goes on at once, not when the other ends.
for how in INT KILL; do
	start_victim ticker 60000 VICTIM_GAPS=1
	session keep -p "$vpid" -e 'vpoint = print' -o /dev/null
	session hold -p "$vpid" -e 'vpoint = 1*pause'
	wait_for "$TMP/hold.err" 'inject fpbpf:vpoint' 50
	sleep 1
	kill "-$how" "${fp[hold]}"
	wait "${fp[hold]}" 2>/dev/null
	t0=$(date +%s%N)
	wait_for "$TMP/victim" '^gap_ms=' 50
	ms=$(ms_since "$t0")
	stop keep
	end_victim
	expect "SIG$how of the session that paused it: the thread goes on within a second" yes \
		"$([ "$ms" -lt $((1000 * WAIT_SCALE)) ] && grep -q '^gap_ms=' "$TMP/victim" && echo yes || echo "no ($ms ms)")"
done

group "stress: exact counts at scale"
k=$(fp run $D -e 'vfail = 100*return(1)' -- "$VICTIM" threads 300 64 | sed -n 's/injected=//p')
expect "100* across 64 threads injects exactly 100" 100 "$k"
k=$(fp run $D -e 'vfail = 150*return(1)' -- "$VICTIM" children 200 3 | sed -n 's/injected=//p')
expect "150* across 200 forked children injects exactly 150" 150 "$k"

group "stress: every way a session ends, with targets held"
# how: int term kill-controller kill-guardian kill-both. After each: the victim is not
# stopped (but after kill-both: the documented case), no program or link of the session
# exists, no socket is left.
for how in int term kill-controller kill-guardian kill-both; do
	start_victim plain 30000
	session e -p "$vpid" -e 'plain_tick = pause'
	wait_for "$TMP/e.err" 'inject victim:plain_tick' 50
	ids=$(held_ids "${fp[e]}")
	g=$(guardian_of "${fp[e]}")
	case $how in
	int) kill -INT "${fp[e]}" ;;
	term) kill -TERM "${fp[e]}" ;;
	kill-controller) kill -KILL "${fp[e]}" ;;
	kill-guardian) kill -KILL "$g"; sleep 0.3; kill -INT "${fp[e]}" ;;
	kill-both) kill -KILL "$g" "${fp[e]}" ;;
	esac
	wait "${fp[e]}" 2>/dev/null
	sleep 0.5
	st=$(proc_state "$vpid")
	[ "$st" = R ] && st=S
	sock=$([ -e "$SOCK/t$$-e.sock" ] && echo left || echo gone)
	# The guardian's work ends with the session: it must not stay behind.
	for _ in $(seq 20); do kill -0 "$g" 2>/dev/null || break; sleep 0.1; done
	gst=$(kill -0 "$g" 2>/dev/null && echo "guardian left" || echo none)
	want="S|0|gone|none"
	[ $how = kill-both ] && want="T|0|left|none"
	expect "$how: target, programs and links, socket, guardian" "$want" "$st|$(echo "$ids" | alive_count)|$sock|$gst"
	end_victim
done
# The case above left a socket nobody listens on: a new session takes the name.
start_victim serve 30000
session e -p "$vpid" -e 'vfail = off'
expect "a socket left by a dead session is reused" 0 "$(ctl status e >/dev/null 2>&1; echo $?)"
stop e
end_victim
