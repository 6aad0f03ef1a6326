# The command line: list, check, and the errors users see for bad input.
. "$(dirname "$0")/../lib.sh"

group "list"
out=$(fp list "$VICTIM")
echo "$out" | grep -q 'fpbpf:vfail \[value\] args="8@[^ ]* 8@[^ ]* -4@\$2 .*semaphore=0x[1-9a-f]' ; expect "list shows value failpoint" 0 $?
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
