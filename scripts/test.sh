#!/usr/bin/env bash
# Runs every unit test of the solution (Release) and ends with one summary line:
#   tests: N passed, N failed, N skipped
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test Tvix.sln -c Release "$@" 2>&1 | tee "$log" || status=$?
# One "Passed!/Failed! - Failed: F, Passed: P, Skipped: S, ..." line per test assembly.
awk '/(Passed|Failed)! +- +Failed:/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) {
         if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit $status
