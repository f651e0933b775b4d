#!/usr/bin/env python3
"""Writes tests/conformance/baseline.json: the ids of the cases that passed in a run.py --json result."""
import json
import pathlib
import sys

if len(sys.argv) != 2:
    sys.exit("usage: update-baseline.py RESULTS.json")
results = json.loads(pathlib.Path(sys.argv[1]).read_text())
cases = results["cases"]
items = cases.items() if isinstance(cases, dict) else ((c["id"], c) for c in cases)
passing = sorted(cid for cid, c in items if c.get("status") == "pass")
out = pathlib.Path(__file__).resolve().parent.parent / "tests" / "conformance" / "baseline.json"
out.write_text(json.dumps(passing, indent=1) + "\n")
print(f"baseline: {len(passing)} passing cases -> {out}")
