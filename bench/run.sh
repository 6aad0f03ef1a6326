#!/bin/sh
# `make bench`: prints costs measured in one run each, as ratios; never asserts on time.
set -eu
out=$1
echo "== unattached failpoint cost (goal: < 1 ns, >= 20x below libfiu) =="
"$out/bench/unattached"
