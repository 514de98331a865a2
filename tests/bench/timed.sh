#!/usr/bin/env bash
# Run one stage of `make test` and print its wall time, so CI logs show where time goes.
stage=$1; shift
start=$(date +%s)
"$@"; rc=$?
echo "== stage $stage: $(( $(date +%s) - start ))s (exit $rc)"
exit $rc
