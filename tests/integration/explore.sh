# fpbpf explore: fail-nth over failpoints and syscalls finds exactly the seeded crash and
# hang of explorevictim (no alarm at the failures it handles), and each repro reproduces.
# On the host syscalls go through seccomp and failpoints through stop-and-write; in the
# VM through the BPF backends and direct write. No python per run: the VM is slow to start it.
. "$(dirname "$0")/../lib.sh"
XV=$VICTIMS/explorevictim
mkdir -p "$TMP/xv"

# finding FILE SITE NTH FAULT: the outcome of that finding in explore's JSON lines, or none.
finding() {
	grep '"type":"finding"' "$1" | grep -F "\"site\":\"$2\",\"nth\":$3,\"fault\":\"$4\"," |
		grep -o '"outcome":"[a-z-]*"' | head -1 | cut -d'"' -f4 | grep . || echo none
}
# alarms FILE: "site nth outcome" of every crash, hang and wrong finding, sorted.
alarms() {
	grep '"type":"finding"' "$1" | grep -E '"outcome":"(crash|hang|wrong)"' |
		sed -E 's/.*"site":"([^"]*)","nth":([0-9]+),"fault":"([^"]*)".*"outcome":"([a-z-]*)".*/\1 \2 \3 \4/' | sort | tr '\n' ';'
}
# repro FILE SITE NTH FAULT: the finding's repro command line.
repro() {
	grep '"type":"finding"' "$1" | grep -F "\"site\":\"$2\",\"nth\":$3,\"fault\":\"$4\"," | head -1 |
		sed -E 's/.*"repro":"(.*)"}$/\1/; s/\\"/"/g'
}
# hits FILE SITE: the site's hit count in the baseline.
hits() { grep '"type":"explore"' "$1" | grep -oE "\"site\":\"$2\",(\"where\":\"[^\"]*\",)?\"hits\":[0-9]+" | grep -o '[0-9]*$'; }

group "failpoints: the seeded crash and hang, and nothing else alarms"
fp explore --json -- "$XV" usdt >"$TMP/u.json"; rc=$?
expect "exit status 3: a crash or a hang was found" 3 "$rc"
expect "journal_write: 3 hits, load_config 1, flush_cache 4" "3 1 4" \
	"$(hits "$TMP/u.json" journal_write) $(hits "$TMP/u.json" load_config) $(hits "$TMP/u.json" flush_cache)"
expect "alarms: exactly the SIGSEGV at journal_write hit 2 and the hang at load_config" \
	"journal_write 2 return(-5) crash;load_config 1 return(-5) hang;" "$(alarms "$TMP/u.json")"
expect "journal_write hits 1 and 3 fail handled (error-exit)" "error-exit error-exit" \
	"$(finding "$TMP/u.json" journal_write 1 'return(-5)') $(finding "$TMP/u.json" journal_write 3 'return(-5)')"
expect "flush_cache failures are retried: no finding" none "$(finding "$TMP/u.json" flush_cache 2 'return(-5)')"
grep -q '"type":"finding".*"outcome":"crash","signal":"SIGSEGV"' "$TMP/u.json"; expect "the crash names its signal" 0 $?
expect "summary: 8 runs, 2 alarms" 1 "$(grep -c '"type":"summary","runs":8,"findings":4,"groups":3,"alarms":2' "$TMP/u.json")"

group "failpoints: each repro reproduces its finding"
sh -c "$(repro "$TMP/u.json" journal_write 2 'return(-5)')" >/dev/null 2>&1
expect "repro of the crash: fpbpf run exits 128+SIGSEGV" 139 $?
t0=$(date +%s%N)
timeout -s INT 3 sh -c "$(repro "$TMP/u.json" load_config 1 'return(-5)')" >/dev/null 2>&1
expect "repro of the hang: still running after 3 s" "124|yes" "$?|$([ "$(ms_since "$t0")" -ge 2900 ] && echo yes)"
sh -c "$(repro "$TMP/u.json" journal_write 1 'return(-5)')" >/dev/null 2>&1
expect "repro of a handled failure: exit 1" 1 $?

if [ -n "${FPBPF_IN_VM:-}" ] && ! "$FPBPF" doctor 2>/dev/null | grep -qE '^backend_(fmod_ret|kprobe|lsm|seccomp) +ok'; then
	group "syscalls"
	skip "explore over syscalls" "no syscall backend on this kernel (see fpbpf doctor)"
	exit 0
fi

group "syscalls: the seeded abort and hang, and nothing else alarms"
fp explore --json --sites sys:openat,write,fsync -- "$XV" sys "$TMP/xv" >"$TMP/s.json"; rc=$?
expect "exit status 3" 3 "$rc"
n=$(hits "$TMP/s.json" sys:openat)
# The victim's own open is the last openat (the loader's come first): failing it hangs.
expect "alarms: the write hit 2 aborts (EIO, ENOSPC), the victim's own open hangs (3 errnos)" \
	"sys:openat $n error(EACCES) hang;sys:openat $n error(EMFILE) hang;sys:openat $n error(ENOENT) hang;sys:write 2 error(EIO) crash;sys:write 2 error(ENOSPC) crash;" \
	"$(alarms "$TMP/s.json")"
expect "write hits 1 and 3 and fsync fail handled" "error-exit error-exit error-exit" \
	"$(finding "$TMP/s.json" sys:write 1 'error(EIO)') $(finding "$TMP/s.json" sys:write 3 'error(EIO)') $(finding "$TMP/s.json" sys:fsync 1 'error(EIO)')"
grep -q '"type":"finding".*"outcome":"crash","signal":"SIGABRT"' "$TMP/s.json"; expect "the abort names SIGABRT" 0 $?
sh -c "$(repro "$TMP/s.json" sys:write 2 'error(EIO)')" >/dev/null 2>&1
expect "repro of the abort: exit 128+SIGABRT" 134 $?
sh -c "$(repro "$TMP/s.json" sys:fsync 1 'error(EIO)')" >/dev/null 2>&1
expect "repro of the handled fsync failure: exit 1" 1 $?

group "syscall sites by calling function"
CV=$VICTIMS/callervictim
fp explore --json --sites sys:write -- "$CV" sys 2 crash >"$TMP/c.json"; rc=$?
expect "exit status 3" 3 "$rc"
expect "sys:write split: data_write 2, journal_write 3, stdio's own 5 hits (stdout)" \
	"1|2 3" "$(grep -cE 'sys:write split by calling function: _IO_[a-z_]*file_write \(5[^)]*\), data_write \(2, callervictim.c:[0-9]+\), journal_write \(3, callervictim.c:[0-9]+\)' "$TMP/err")|$(for f in data_write journal_write; do hits "$TMP/c.json" "sys:write callsite=$f"; done | xargs)"
src=$(dirname "$0")/../victims/callervictim.c
jl=$(grep -n 'write(fd, "journal!"' "$src" | cut -d: -f1)
dl=$(grep -n 'write(fd, "data....' "$src" | cut -d: -f1)
expect "each split site says where its call is (file:line from debug info)" "callervictim.c:$jl|callervictim.c:$dl" \
	"$(grep -o '"site":"sys:write callsite=journal_write","where":"[^"]*"' "$TMP/c.json" | cut -d'"' -f8)|$(grep -o '"site":"sys:write callsite=data_write","where":"[^"]*"' "$TMP/c.json" | cut -d'"' -f8)"
expect "alarms: exactly the data writes' aborts" \
	"sys:write callsite=data_write 1 error(EIO) crash;sys:write callsite=data_write 1 error(ENOSPC) crash;sys:write callsite=data_write 2 error(EIO) crash;sys:write callsite=data_write 2 error(ENOSPC) crash;" \
	"$(alarms "$TMP/c.json")"
expect "a failed journal write is handled (error-exit)" "error-exit error-exit" \
	"$(finding "$TMP/c.json" "sys:write callsite=journal_write" 1 'error(EIO)') $(finding "$TMP/c.json" "sys:write callsite=journal_write" 3 'error(EIO)')"
cmd=$(repro "$TMP/c.json" "sys:write callsite=data_write" 2 'error(EIO)')
sh -c "$cmd" >/dev/null 2>&1
expect "the repro names the calling function and reproduces the abort" "134|1" "$?|$(echo "$cmd" | grep -c "sys:write = error(EIO) when=2 callsite=data_write")"
# A run's rule goes in before the counting rule it replaces leaves: 7 callers at most.
fp explore --json --sites sys:write -- "$CV" fan 7 >"$TMP/f7.json"
expect "7 calling functions: 7 sites, each hit failed in its own run" "0|7|7" \
	"$?|$(grep -o 'callsite=fan_[1-7]","where":"[^"]*","hits":1,' "$TMP/f7.json" | wc -l)|$(grep -c '"type":"site","site":"sys:write callsite=fan_[1-7]","fault":"error(EIO)","runs":1,"ok":1,.*"not_fired":0' "$TMP/f7.json")"
fp explore --json --sites sys:write -- "$CV" fan 8 >"$TMP/f8.json"
expect "8 calling functions: one site, saying why" "0|1" \
	"$?|$(grep -c '"site":"sys:write","hits":8,"nondeterministic":false,"not_split":"called from more than 7 functions' "$TMP/f8.json")"
cp "$CV" "$TMP/stripped" && strip "$TMP/stripped"
fp explore --json --sites sys:write -- "$TMP/stripped" sys 2 >"$TMP/st.json"
expect "calls from code no symbol names: one site, and the report says why" "1|1" \
	"$(grep -c 'explore: sys:write: 5 of 10 hit(s) come from code no symbol names (stripped, or not the command.s files): one site' "$TMP/err")|$(grep -c '"site":"sys:write","hits":10,"nondeterministic":false,"not_split":"5 of 10 hit' "$TMP/st.json")"
fp explore --json --sites sys:write -- "$XV" sys "$TMP/xv" >/dev/null
expect "a syscall called from one function stays one site" "0|1" \
	"$(grep -c 'split by calling function' "$TMP/err")|$(grep -c '"site":"sys:write","hits"' "$TMP/s.json")"

group "--expect: a run that exits 0 with a wrong result"
# A 1-byte "short" write of a 1-byte buffer reports success while nothing was written.
fp explore --json --sites sys:write --errors sys:write=short --expect "[ \$(wc -c <$TMP/xv/journal) -eq 3 ]" \
	-- "$XV" sys "$TMP/xv" >"$TMP/w.json"; rc=$?
expect "every short write is a wrong result, exit 3" "3|sys:write 1 return(1) wrong;sys:write 2 return(1) wrong;sys:write 3 return(1) wrong;" \
	"$rc|$(alarms "$TMP/w.json")"
fp explore --sites sys:write --expect false -- "$XV" sys "$TMP/xv" >/dev/null
expect "an --expect that fails without faults is refused" "2|yes" "$?|$(grep -q 'expect fails after a run without faults' "$TMP/err" && echo yes)"

if [ -n "${FPBPF_IN_VM:-}" ]; then
	group "host-only groups"
	skip "depth 2, reports, one session, limits, ^C" "the same code on every kernel: the host runs them"
	exit 0
fi

group "depth 2: a second fault only where the first changed the counts"
fp explore --json -d 2 --sites flush_cache --sites flush_cache_retry -- "$XV" usdt >"$TMP/d.json"; rc=$?
expect "flush_cache_retry has no hit without faults" 0 "$(hits "$TMP/d.json" flush_cache_retry)"
expect "depth 1: 4 runs (flush_cache hits 1..4); depth 2: 4 (the retry reached once each)" \
	"1|1" "$(grep -c '"type":"phase","depth":1,"runs":4' "$TMP/d.json")|$(grep -c '"type":"phase","depth":2,"runs":4' "$TMP/d.json")"
expect "the retry failing too is handled: no finding, exit 0" "0|0" "$rc|$(grep -c '"type":"finding"' "$TMP/d.json")"
expect "8 runs" 1 "$(grep -c '"type":"summary","runs":8,' "$TMP/d.json")"

group "--report DIR: report.json and a self-contained report.html"
fp explore --sites journal_write --report "$TMP/rep" -- "$XV" usdt >"$TMP/r.txt"
python3 - "$TMP/rep/report.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["v"] == 1 and d["command"][1] == "usdt" and d["baseline"]["status"] == 0, d
fs = d["findings"]
assert [(f["site"], f["nth"], f["outcome"]) for f in fs] == [("journal_write", 1, "error-exit"), ("journal_write", 2, "crash"), ("journal_write", 3, "error-exit")], fs
for f in fs:
    for k in ("site", "nth", "fault", "outcome", "stderr_tail", "repro"):
        assert k in f, (k, f)
    assert ("status" in f) != ("signal" in f), f
assert "journal write 0 failed" in fs[0]["stderr_tail"], fs[0]
assert [c["outcome"] for c in d["matrix"][0]["cells"]] == ["error-exit", "crash", "error-exit"], d["matrix"]
EOF
expect "report.json: v1, baseline, findings with their fields, the matrix" 0 $?
h=$TMP/rep/report.html
expect "report.html: the matrix, the repro, nothing fetched" "yes|yes|0" \
	"$(grep -q '<td class=crash title="hit 2: crash">2</td>' "$h" && echo yes)|$(grep -q 'journal_write = return(-5) when=2' "$h" && echo yes)|$(grep -ciE 'https?://|<script|<link' "$h")"
grep -q 'crash x1: SIGSEGV' "$TMP/r.txt"; expect "the text summary groups findings by kind" 0 $?

group "one loaded session serves every run; -j N: one per worker"
# BPF programs load once per worker, however many runs follow.
loads() { strace -f -e trace=bpf -o "$TMP/st" "$FPBPF" explore -j "$2" --sites journal_write --max-nth "$1" -- "$XV" usdt >/dev/null 2>&1; grep -c BPF_PROG_LOAD "$TMP/st"; }
one=$(loads 1 1) three=$(loads 3 1) two_workers=$(loads 3 2)
expect "as many program loads for 3 runs as for 1" "$one" "$three"
expect "-j 2: twice the loads of -j 1, not one per run" "$((2 * one))" "$two_workers"
fp explore --json -j 3 --sites sys:openat,write,fsync -- "$XV" sys "$TMP/xv" >"$TMP/j.json"
expect "-j 3 finds what -j 1 found" "$(alarms "$TMP/s.json")" "$(alarms "$TMP/j.json")"

group "bad arguments: one line, exit 2"
fp explore --sites nosuch -- "$XV" usdt
expect "unknown site" "2|yes" "$?|$(grep -q 'sites nosuch: no FPBPF_FAIL failpoint of that name' "$TMP/err" && echo yes)"
fp explore --errors sys:read=EIO -- "$XV" usdt
expect "--errors for a site not explored" "2|yes" "$?|$(grep -q 'sys:read is not one of the sites explored' "$TMP/err" && echo yes)"
fp explore --sites sys:write --errors sys:write=EBOGUS -- "$XV" usdt
expect "--errors with an unknown errno" "2|yes" "$?|$(grep -q "'EBOGUS': expected an errno name" "$TMP/err" && echo yes)"
fp explore --depth 3 -- "$XV" usdt; expect "--depth 3" 2 $?
fp explore -j 65 -- "$XV" usdt
expect "-j past its limit is refused, not cut" "2|yes" "$?|$(grep -q 'jobs: expected a number of runs at once from 1 to 64' "$TMP/err" && echo yes)"
fp explore --sites usdt; expect "no command" 2 $?
fp explore -- /nonexistent/cmd; expect "missing command" 127 $?
fp explore --json --sites nosuch -- "$XV" usdt
grep -q '^{"v":1,"type":"error"' "$TMP/err"; expect "--json: the error is JSON" 0 $?

group "a run's leftovers are killed; ^C ends explore and its run"
fp explore --sites sys:write -- sh -c 'sleep 31.25 & echo hi' >/dev/null
expect "no background child of a run outlives explore" 0 "$(pgrep -fc 'sleep 31.25')"
"$FPBPF" explore --timeout 60 --sites load_config -- "$XV" usdt >"$TMP/i.txt" 2>&1 &
xp=$!
wait_for "$TMP/i.txt" 'depth 1' 50
sleep 0.5
t0=$(date +%s%N)
kill -INT "$xp"
wait "$xp"; rc=$?
expect "^C: exit 130 within 2 s" "130|yes" "$rc|$([ "$(ms_since "$t0")" -lt 2000 ] && echo yes)"
expect "^C: the run's victim is gone, the partial summary printed" "0|yes" \
	"$(pgrep -fc "$XV usdt")|$(grep -q 'interrupted: what was found so far' "$TMP/i.txt" && echo yes)"
# A SIGINT to explore's whole process group (a harness, or timeout -s INT of a shell), with
# two workers: each worker ends its run and its session once, cleanly.
setsid bash -c "exec \"$FPBPF\" explore -j 2 --timeout 60 --sites load_config --sites journal_write -- \"$XV\" usdt >\"$TMP/g.txt\" 2>&1" &
wait_for "$TMP/g.txt" 'depth 1' 50
sleep 0.5
pg=$(pgrep -f "explore -j 2 --timeout 60 --sites load_config" | head -1)
kill -INT -- "-$pg"
for _ in $(seq 50); do pgrep -f "explore -j 2 --timeout 60 --sites load_config" >/dev/null || break; sleep 0.1; done
expect "SIGINT to the group: explore and its runs gone, no worker died uncleanly" "0|0|yes" \
	"$(pgrep -fc "explore -j 2 --timeout 60 --sites load_config")|$(grep -c 'controller died' "$TMP/g.txt")|$(grep -q 'interrupted: what was found so far' "$TMP/g.txt" && echo yes)"

group "interrupted at any moment: nothing left running, nothing silent"
# ^C during the baseline: the run in progress is killed, explore says it had no baseline.
"$FPBPF" explore --timeout 30 --sites sys:fsync -- "$XV" slow 20000 >"$TMP/b.txt" 2>&1 &
xp=$!
for _ in $(seq 100); do pgrep -f "$XV slow 20000" >/dev/null && break; sleep 0.05; done
sleep 0.2
kill -INT "$xp"; wait "$xp"; rc=$?
expect "^C in the baseline: exit 130, its run killed, no guardian took over" "130|0|0|yes" \
	"$rc|$(pgrep -fc "$XV slow 20000")|$(grep -c 'controller died' "$TMP/b.txt")|$(grep -q 'interrupted before the runs without faults ended' "$TMP/b.txt" && echo yes)"
# ^C while four workers still load their sessions.
"$FPBPF" explore -j 4 --sites sys:fsync -- "$XV" slow 10 >"$TMP/s4.txt" 2>&1 &
xp=$!
sleep 0.1
kill -INT "$xp"; wait "$xp"; rc=$?
expect "^C while workers load: exit 130, no worker died" "130|0|0" \
	"$rc|$(grep -c 'ended unexpectedly' "$TMP/s4.txt")|$(grep -c 'controller died' "$TMP/s4.txt")"
# An --expect that never ends is killed at --timeout, and counts as failed.
t0=$(date +%s%N)
fp explore --timeout 1 --expect 'sleep 31.5' --sites sys:fsync -- "$XV" sys "$TMP/xv" >/dev/null
expect "a hanging --expect is killed at --timeout: the baseline's check fails" "2|yes|0" \
	"$?|$([ "$(ms_since "$t0")" -lt 8000 ] && echo yes)|$(pgrep -fc 'sleep 31.5')"

group "odd commands and outputs"
printf '#!/bin/sh\nexec "%s" sys "%s"\n' "$XV" "$TMP/xv" >"$TMP/x.sh" && chmod +x "$TMP/x.sh"
fp explore --json --sites sys:write -- "$TMP/x.sh" >"$TMP/sh.json"
expect "a script as the command: its syscalls are explored" "3|yes" \
	"$?|$(grep -q '"site":"sys:write","nth":2,"fault":"error(EIO)","outcome":"crash"' "$TMP/sh.json" && echo yes)"
cp "$XV" "$TMP/noexec" && chmod -x "$TMP/noexec"
fp explore --sites sys:fsync -- "$TMP/noexec" slow 1
expect "a file that cannot be executed is refused" "127|yes" "$?|$(grep -q 'noexec: not executable' "$TMP/err" && echo yes)"
: >"$TMP/afile"
t0=$(date +%s%N)
fp explore --report "$TMP/afile" --sites journal_write -- "$XV" usdt >/dev/null
expect "--report on a file: refused before any run" "2|yes|yes" \
	"$?|$(grep -q 'report .*afile: not a directory' "$TMP/err" && echo yes)|$([ "$(ms_since "$t0")" -lt 1000 ] && echo yes)"
fp explore --sites journal_write -- "$XV" usdt >/dev/full
expect "results that cannot be written: exit 1, said" "1|yes" "$?|$(grep -q 'writing the results' "$TMP/err" && echo yes)"
fp explore --sites journal_write -- "$XV" usdt >&-
expect "stdout closed: explore still runs (its sockets never take fd 1)" "3|0" "$?|$(grep -c 'ended unexpectedly' "$TMP/err")"
expect "a repro runs the command as explore did: no terminal" yes \
	"$(repro "$TMP/u.json" journal_write 2 'return(-5)' | grep -q -- '-- .*explorevictim usdt </dev/null >/dev/null$' && echo yes)"
if command -v script >/dev/null; then
	script -qec "$FPBPF explore --sites journal_write -- $XV usdt" /dev/null >"$TMP/tty.txt" 2>&1
	expect "on a terminal, a finding never lands on the progress line" 0 "$(grep -c 'finding(s)finding' "$TMP/tty.txt")"
fi
