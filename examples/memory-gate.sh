#!/usr/bin/env bash
# The commands of examples/memory-gate.yml, run locally from the repository root after `npm ci`:
# capture (arenascope run) -> baseline (made here when there is none) -> gate -> report. Exits with the gate's code
# (0 passed, 1 failed), or 2 when a step before it failed, naming the step on stderr.
#   bash examples/memory-gate.sh [OUTDIR]        APP_LEAK=1 bash examples/memory-gate.sh   (fails)
set -u
out=${1:-memory-gate-out}
baseline=${BASELINE:-$out/memory-baseline.json}
failed() {
  echo "memory-gate.sh: $1 failed" >&2
  exit 2
}
mkdir -p "$out"
# `arenascope run` never writes into an existing non-empty folder: each capture starts afresh.
rm -rf "$out/baseline-captures" "$out/memory-captures"
if [ ! -f "$baseline" ]; then
  # The baseline's own run is quiet; what it printed is kept in baseline-run.log, and shown when it fails.
  if ! APP_LEAK= npx arenascope run -o "$out/baseline-captures" -- python3 examples/test_app.py \
    >"$out/baseline-run.log" 2>&1; then
    cat "$out/baseline-run.log" >&2
    failed "the baseline capture (arenascope run)"
  fi
  npx arenascope baseline "$out/baseline-captures" -o "$baseline" || failed "arenascope baseline"
fi
npx arenascope run -o "$out/memory-captures" -- python3 examples/test_app.py || failed "the capture (arenascope run)"
npx arenascope gate "$out/memory-captures" --baseline "$baseline" --max-total-growth 10% \
  --github --junit "$out/memory-gate.xml" --markdown "$out/summary.md"
gate=$?
[ "$gate" -le 1 ] || failed "arenascope gate"
npx arenascope report "$out/memory-captures" -o "$out/memory-report.html" || failed "arenascope report"
exit $gate
