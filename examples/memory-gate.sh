#!/usr/bin/env bash
# The commands of examples/memory-gate.yml, run locally from the repository root after `npm ci`:
# capture (arenascope run) -> baseline (made here when there is none) -> gate -> report. Exits with the gate's code.
#   bash examples/memory-gate.sh [OUTDIR]        APP_LEAK=1 bash examples/memory-gate.sh   (fails)
set -u
out=${1:-memory-gate-out}
baseline=${BASELINE:-$out/memory-baseline.json}
mkdir -p "$out"
# `arenascope run` never writes into an existing non-empty folder: each capture starts afresh.
rm -rf "$out/baseline-captures" "$out/memory-captures"
if [ ! -f "$baseline" ]; then
  APP_LEAK= npx arenascope run -o "$out/baseline-captures" -- python3 examples/test_app.py >/dev/null 2>&1 || exit 2
  npx arenascope baseline "$out/baseline-captures" -o "$baseline" || exit 2
fi
npx arenascope run -o "$out/memory-captures" -- python3 examples/test_app.py || exit 2
npx arenascope gate "$out/memory-captures" --baseline "$baseline" --max-total-growth 10% \
  --github --junit "$out/memory-gate.xml" --markdown "$out/summary.md"
gate=$?
npx arenascope report "$out/memory-captures" -o "$out/memory-report.html" || exit 2
exit $gate
