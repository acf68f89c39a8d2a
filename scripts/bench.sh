#!/usr/bin/env bash
# The benchmark command: builds everything, then measures the system beside the raw ceilings of this
# machine (SQLite commits, bare broker publishes, bare MQTT round trips) and writes docs/benchmarks.md.
# Needs the local services (scripts/services.sh). Takes a few minutes; BENCH_CYCLES scales the edge runs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-home.sh
scripts/services.sh
./mvnw -B -ntp -q install -DskipTests
out=$(mktemp)
./mvnw -B -ntp -q -pl bench exec:java -Dexec.mainClass=org.openparking.bench.Bench \
  -Dexec.args="$out" -Dbench.root="$PWD" -Dbench.cycles="${BENCH_CYCLES:-2000}"
{
  echo "# Benchmarks"
  echo
  echo "Written by \`scripts/bench.sh\` (the benchmark command). Figures are from one run on the machine named"
  echo "below; each stands beside a baseline measured in the same run, so the ratio matters more than the"
  echo "absolute number. Tests never assert timings: these are measurements, not pass/fail criteria."
  echo
  echo "## Edge controller"
  echo
  cat "$out"
  for extra in docs/bench/*.md; do
    [ -f "$extra" ] && { echo; cat "$extra"; }
  done
} > docs/benchmarks.md
echo "wrote docs/benchmarks.md"
