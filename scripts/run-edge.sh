#!/usr/bin/env bash
# Runs one edge controller on its embedded defaults: simulated hardware, SQLite in ./data, MQTT and cloud
# off. Builds it first if needed. Any config key can be overridden by environment (EDGE_LEVEL_ID=L1 ...).
# Starts with the JVM limits of edge-controller/target/edge.jvmopts and, on JDK 25+, from the AOT cache the package
# step trains (edge-controller/target/edge.aot; a stale or missing cache only costs start-up time).
# On these defaults the edge is a development rig (edge.development: auto with simulated hardware and open
# auth: simulator API on, logged as DEVELOPMENT mode); AUTH_MODE=token needs a TICKETS_SECRET of its own.
# Once it serves, a banner shows its URLs and the command that drives a car through it.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'USAGE'
usage: scripts/run-edge.sh [--demo-tariff] [edge arguments]
Runs one edge controller on simulated hardware (SQLite in ./data, no cloud), building it first if needed.
  --demo-tariff   no grace period, 0.50 EUR per started minute, so a fee shows within a minute; its own
                  database (./data/demo-edge.db), so the demo tariff never lands in ./data/edge.db
Any configuration key can be set by environment, e.g. SERVER_PORT=9090 (docs/configuration.md).
USAGE
}

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  usage
  exit 0
fi
tariff="the default tariff (15 minutes free, then 3.00 EUR per started hour)"
if [ "${1:-}" = "--demo-tariff" ]; then
  shift
  # Environment wins over everything but is only a default here: a key the caller set stays theirs.
  export TARIFF_GRACE_MINUTES="${TARIFF_GRACE_MINUTES:-0}" TARIFF_PERIOD_MINUTES="${TARIFF_PERIOD_MINUTES:-1}"
  export TARIFF_PRICE_PER_PERIOD="${TARIFF_PRICE_PER_PERIOD:-50}" EDGE_DB_PATH="${EDGE_DB_PATH:-./data/demo-edge.db}"
  tariff="the demo tariff (no grace period, 0.50 EUR per started minute)"
fi

source scripts/java-home.sh
jar=edge-controller/target/edge-controller.jar
if [ ! -f "$jar" ] || [ ! -f edge-controller/target/edge.jvmopts ] || [ -n "$(find protocol platform firmware-interface edge-controller -name '*.java' -newer "$jar" -o -name '*.yaml' -newer "$jar" -o -name '*.sql' -newer "$jar" 2>/dev/null | head -1)" ]; then
  # A quiet build looks hung for a minute: show one line per module, keep the rest for a failure.
  mkdir -p edge-controller/target
  log=edge-controller/target/run-edge-build.log
  echo "building the edge controller with $("$JAVA_HOME/bin/java" -version 2>&1 | head -1) (about a minute the first time; full log in $log)"
  set +e
  ./mvnw -B -ntp -pl edge-controller -am package -DskipTests 2>&1 | tee "$log" \
    | grep --line-buffered -E '^\[INFO\] (Building .*\[[0-9]+/[0-9]+\]|BUILD SUCCESS|Total time)' \
    | sed -u 's/^\[INFO\] /  /'
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -ne 0 ]; then
    grep -E '^\[ERROR\]' "$log" | head -40 >&2 || true
    echo "build failed: see $log" >&2
    exit 1
  fi
fi

banner() {
  local url="http://localhost:$1"
  cat <<BANNER

  ============================================================================
  The edge serves level L0 of lot-1 on simulated hardware, offline, with
  $tariff.
    console   $url/console/
    API       $url/api/v1/availability   (OpenAPI: $url/openapi.yaml, docs/api.md)
    health    $url/observe/health
    metrics   $url/observe/metrics
  Drive a car in, park, pay and out (another terminal):
    scripts/drive-car.sh --url $url
  Stop with Ctrl-C.
  ============================================================================

BANNER
}

# The edge's output passes through here so the banner comes right after its "serving on port" line.
set +e
java @edge-controller/target/edge.jvmopts $([ -f edge-controller/target/edge.aot ] && [ "$(java_major "$JAVA_HOME")" -ge 25 ] && echo -XX:AOTCache=edge-controller/target/edge.aot) -jar "$jar" "$@" 2>&1 | while IFS= read -r line; do
  printf '%s\n' "$line"
  if [[ "$line" =~ serving\ on\ port\ ([0-9]+) ]]; then
    banner "${BASH_REMATCH[1]}"
  fi
done
exit "${PIPESTATUS[0]}"
