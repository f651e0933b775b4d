#!/usr/bin/env python3
"""Writes tests/conformance/baseline.json (run.py's JSON shape, passing cases only) from a run.py --json result."""
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
out.write_text(json.dumps({"cases": {cid: {"status": "pass"} for cid in passing}}, indent=1) + "\n")
print(f"baseline: {len(passing)} passing cases -> {out}")
