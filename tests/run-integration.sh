#!/bin/bash
# Runs the integration tests (tests/integration/*.sh, or the ones named) and prints
# "N passed, N failed, N skipped". Needs root: the tests load BPF programs for real.
set -u
here=$(cd "$(dirname "$0")" && pwd)
files=("$@")
[ ${#files[@]} -gt 0 ] || files=("$here"/integration/*.sh)
[ "$(id -u)" -eq 0 ] || { echo "run-integration: needs root (BPF)" >&2; exit 1; }
where=host
[ -n "${FPBPF_IN_VM:-}" ] && where=vm

pass=0 failc=0 skipc=0
for f in "${files[@]}"; do
	[ -f "$f" ] || f=$here/integration/$f.sh
	t0=$SECONDS
	out=$(bash "$f" 2>&1)
	rc=$?
	echo "$out" | sed "s/^/[$where $(basename "$f" .sh)] /"
	echo "[$where $(basename "$f" .sh)] took $((SECONDS - t0)) s"
	# A group with no status line after it means the file stopped early.
	groups=$(echo "$out" | awk '/^GROUP /{g++; s[g]=0} /^(PASS|FAIL|SKIP) /{s[g]++} END{n=0; for(i=1;i<=g;i++) if(!s[i]) n++; print n}')
	p=$(echo "$out" | grep -c '^PASS ')
	fl=$(echo "$out" | grep -c '^FAIL ')
	sk=$(echo "$out" | grep -c '^SKIP ')
	if [ "$groups" -gt 0 ]; then
		echo "[$where $(basename "$f" .sh)] FAIL: $groups group(s) printed no status"
		fl=$((fl + groups))
	fi
	if [ $rc -ne 0 ]; then
		echo "[$where $(basename "$f" .sh)] FAIL: test file exited with status $rc"
		fl=$((fl + 1))
	fi
	pass=$((pass + p)) failc=$((failc + fl)) skipc=$((skipc + sk))
done
echo "integration ($where): $pass passed, $failc failed, $skipc skipped"
[ "$failc" -eq 0 ]
