#!/usr/bin/env bash
# The benchmark command: builds everything, then measures the system beside the raw ceilings of this
# machine (SQLite commits, bare broker publishes, bare MQTT round trips, the ideal payment rate) and writes
# docs/benchmarks.md with SVG charts in docs/img/. Needs the local services (scripts/services.sh).
# About 10-20 minutes. Knobs: BENCH_CYCLES (edge runs), BENCH_REALTIME_CHANGES, BENCH_PAYMENTS, BENCH_OUTBOX_ROWS,
# BENCH_OUTBOX_CARS, BENCH_PORTAL_POLLERS, BENCH_PORTAL_STREAMS.
# BENCH_LEVEL_ONLY=1 runs only the level benchmark (LevelBench: 8+8 lanes of whole car passages on a 2,000-place
# level, fsyncs per car, RSS, start-to-ready, entry cost by level size) without installing anything, and writes
# docs/bench/edge-level.md; BENCH_BASELINE_JAR=path/to/another/edge-controller.jar measures that jar beside it in
# the same run. Knobs: BENCH_LEVEL_LANES, BENCH_LEVEL_PLACES, BENCH_LEVEL_CARS.
# The fleet benchmark (docs/bench/fleet.md):
# BENCH_FLEET_LEVELS, BENCH_FLEET_EVENTS (per level), BENCH_FLEET_POLLERS, BENCH_FLEET_STREAMS, BENCH_FLEET_SECONDS,
# and BENCH_FLEET_ONLY=1 to run it alone (a few minutes, no install, docs/benchmarks.md left as it is).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-home.sh
level_bench() {
  local cp
  cp=$(mktemp)
  mkdir -p docs/bench
  ./mvnw -B -ntp -q -pl bench -am package -DskipTests dependency:build-classpath -Dmdep.outputFile="$cp" >/dev/null
  echo "bench: the level as it is used (bench LevelBench)"
  timeout 3600 java -Dbench.level.lanes="${BENCH_LEVEL_LANES:-8}" -Dbench.level.places="${BENCH_LEVEL_PLACES:-2000}" \
    -Dbench.level.cars="${BENCH_LEVEL_CARS:-10000}" -cp "bench/target/classes:$(cat "$cp")" \
    org.openparking.bench.LevelBench docs/bench/edge-level.table.md edge-controller/target/edge-controller.jar \
    ${BENCH_BASELINE_JAR:-} || echo "bench: LevelBench failed" >&2
  rm -f "$cp"
  { echo "## The level as it is used (issue 20)"; echo
    echo "Written by \`BENCH_LEVEL_ONLY=1 scripts/bench.sh\` (bench LevelBench) on $(nproc) cores; see docs/edge-budget.md."
    echo; cat docs/bench/edge-level.table.md; } > docs/bench/edge-level.md
  rm -f docs/bench/edge-level.table.md
}
if [ -n "${BENCH_LEVEL_ONLY:-}" ]; then
  level_bench
  exit 0
fi
scripts/services.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# N levels as their own broker users replaying a backlog into one, then two cloud-sync instances, with portal
# polling and SSE fan-out, beside raw PostgreSQL, raw broker and bare Helidon baselines (cloud-sync FleetBench).
fleet_bench() {
  mkdir -p docs/bench
  # 10,000 SSE streams: their server ends are in the benchmark's JVM (beside 1,000 pollers), the clients in a JVM
  # of its own; raise the descriptor limit to the hard one (and that where allowed), else the run says how many
  # clients could not connect.
  local hard
  hard=$(ulimit -Hn)
  if [ "$hard" != unlimited ] && [ "$hard" -lt 65536 ]; then ulimit -Hn 65536 2>/dev/null || true; fi
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  echo "bench: fleet: open files limit $(ulimit -n)"
  # The machine's load during the run (every 5 s), written under the table: the ratios move with it.
  ( while sleep 5; do cut -d' ' -f1 /proc/loadavg; done ) > "$tmp/fleet-load.txt" &
  local sampler=$!
  timeout 1200 java -Dbench.fleet.levels="${BENCH_FLEET_LEVELS:-100}" -Dbench.fleet.events="${BENCH_FLEET_EVENTS:-1000}" \
    -Dbench.fleet.pollers="${BENCH_FLEET_POLLERS:-1000}" -Dbench.fleet.streams="${BENCH_FLEET_STREAMS:-10000}" \
    -Dbench.fleet.seconds="${BENCH_FLEET_SECONDS:-10}" -cp "$1" org.openparking.cloud.FleetBench docs/bench/fleet.md \
    > "$tmp/fleet.txt" || echo "bench: FleetBench failed" >&2
  kill "$sampler" 2>/dev/null || true
  if [ -s "$tmp/fleet-load.txt" ] && [ -f docs/bench/fleet.md ]; then
    sort -n "$tmp/fleet-load.txt" | awk '{ v[NR] = $1; s += $1 } END { printf "\nLoad average (1 min) during the run, sampled every 5 s: min %s, median %s, max %s, mean %.1f, on %d cores.\n", v[1], v[int((NR + 1) / 2)], v[NR], s / NR, '"$(nproc)"' }' \
      >> docs/bench/fleet.md
  fi
}

if [ "${BENCH_FLEET_ONLY:-0}" = 1 ]; then
  echo "bench: fleet scale only (cloud-sync FleetBench)"
  ./mvnw -B -ntp -q -pl cloud-sync -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$tmp/cloud-sync.cp" >/dev/null
  fleet_bench "cloud-sync/target/test-classes:cloud-sync/target/classes:$(cat "$tmp/cloud-sync.cp")"
  echo "wrote docs/bench/fleet.md"
  exit 0
fi

./mvnw -B -ntp -q install -DskipTests

# The test classpath of a module, for the benchmark mains that live beside its tests.
test_classpath() {
  ./mvnw -B -ntp -q -pl "$1" dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$tmp/$1.cp" >/dev/null
  echo "$1/target/test-classes:$1/target/classes:$(cat "$tmp/$1.cp")"
}

echo "bench: availability latency (edge-controller RealtimeBench)"
timeout 900 java -cp "$(test_classpath edge-controller)" org.openparking.edge.realtime.RealtimeBench \
  "${BENCH_REALTIME_CHANGES:-1000}" > "$tmp/realtime.txt" || echo "bench: RealtimeBench failed" >&2
echo "bench: outbox drain rate, relay and end to end into PostgreSQL (edge-controller OutboxDrainBench)"
# 100,000 events through the relay, then another 100,000 end to end into the packaged cloud-sync's PostgreSQL
timeout 1800 java -Dbench.cloud-sync-jar=cloud-sync/target/cloud-sync.jar -cp "$(test_classpath edge-controller)" \
  org.openparking.edge.sync.OutboxDrainBench "${BENCH_OUTBOX_ROWS:-100000}" > "$tmp/outbox.txt" \
  || echo "bench: OutboxDrainBench failed" >&2
echo "bench: payments/s by workers (payment-worker PaymentBenchmark)"
timeout 300 java -cp "$(test_classpath payment-worker)" org.openparking.payment.bench.PaymentBenchmark \
  "${BENCH_PAYMENTS:-200}" 100 > "$tmp/payments.txt" || echo "bench: PaymentBenchmark failed" >&2
echo "bench: portal API under 100 polling clients, SSE fan-out to 1000 clients (cloud-sync PortalBench)"
timeout 600 java -cp "$(test_classpath cloud-sync)" org.openparking.cloud.portal.PortalBench \
  "${BENCH_PORTAL_POLLERS:-100}" "${BENCH_PORTAL_STREAMS:-1000}" > "$tmp/portal.txt" || echo "bench: PortalBench failed" >&2
echo "bench: fleet scale, replays into one and two cloud-sync instances (cloud-sync FleetBench)"
fleet_bench "$(test_classpath cloud-sync)"
echo "bench: edge transactions, entry latency, outbox drain, start-to-ready, memory"
level_bench
out="$tmp/edge.md"
./mvnw -B -ntp -q -pl bench exec:java -Dexec.mainClass=org.openparking.bench.Bench \
  -Dexec.args="$out" -Dbench.root="$PWD" -Dbench.cycles="${BENCH_CYCLES:-2000}" \
  -Dbench.outbox-cars="${BENCH_OUTBOX_CARS:-300}" -Dbench.img="$PWD/docs/img" \
  -Dbench.outbox="$tmp/outbox.txt" -Dbench.realtime="$tmp/realtime.txt" -Dbench.payments="$tmp/payments.txt" \
  -Dbench.portal="$tmp/portal.txt"
{
  echo "# Benchmarks"
  echo
  echo "Written by \`scripts/bench.sh\` (the benchmark command). Figures are from one run on the machine named"
  echo "below; each stands beside a baseline measured in the same run, so the ratio matters more than the"
  echo "absolute number. Tests never assert timings: these are measurements, not pass/fail criteria."
  echo
  echo "## All figures"
  echo
  cat "$out"
  echo
  echo "## Raw output of the module benchmarks"
  echo
  echo '```'
  # only the benchmarks' own tables, not the services' log lines
  grep -hE '^\||^[0-9]+ (changes|payments)|^path|^spot change|^bare ' "$tmp/realtime.txt" "$tmp/payments.txt" 2>/dev/null || true
  grep -hE '^what|^fill|^relay|^bare amqp|^end to end' "$tmp/outbox.txt" 2>/dev/null || true
  grep -hE '^measure|polling clients|SSE clients|^requests/s' "$tmp/portal.txt" 2>/dev/null || true
  echo '```'
  for extra in docs/bench/*.md; do
    [ -f "$extra" ] && { echo; cat "$extra"; }
  done
} > docs/benchmarks.md
echo "wrote docs/benchmarks.md and docs/img/*.svg"
