#!/usr/bin/env bash
# Runs the Nix language conformance suite (../shared/conformance) against the built CLI and
# gates it with tests/conformance/baseline.json: a case that passed before and fails now is red.
# Extra arguments go to run.py (e.g. --json out.json, --only REGEX, -v).
# Build first: dotnet build Tvix.sln -c Release
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${TVIX_SHARED:-../shared}
if [ ! -f "$shared/conformance/run.py" ]; then
  echo "conformance: $shared/conformance is absent; skipping the conformance gate"
  exit 0
fi
T=$PWD/artifacts/bin/Tvix.Cli/release/tvix
exec python3 "$shared/conformance/run.py" \
  --cmd "$T eval --strict {flags} {file}" \
  --xml-cmd "$T eval --xml --no-location --strict {file}" \
  --parse-cmd "$T parse -" \
  --baseline tests/conformance/baseline.json -q "$@"
