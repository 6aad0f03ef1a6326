#!/bin/sh
# A short libFuzzer run of the rule parser (part of `make test`): any crash, hang, leak
# or sanitizer report fails it. Usage: run-fuzz.sh FUZZER SEED_DIR SECONDS
set -eu
fuzzer=$1 seeds=$2 seconds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
cp "$seeds"/* "$work/corpus"/
if "$fuzzer" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=1024 -print_final_stats=1 \
	-artifact_prefix="$work/" "$work/corpus" >"$work/fuzz.log" 2>&1; then
	grep -E "stat::number_of_executed_units|Done" "$work/fuzz.log" | tail -2
	echo "fuzz: 1 passed, 0 failed"
else
	tail -30 "$work/fuzz.log"
	echo "fuzz: 0 passed, 1 failed"
	exit 1
fi
