#!/bin/sh
# Runs every cmocka unit test binary in DIR; fails if any test or sanitizer fails.
set -u
dir=$1
failed=0
ran=0
for t in "$dir"/*; do
	[ -x "$t" ] || continue
	ran=$((ran + 1))
	"$t" || failed=$((failed + 1))
done
[ "$ran" -gt 0 ] || { echo "run-unit: no unit tests in $dir" >&2; exit 1; }
echo "unit test binaries: $((ran - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
