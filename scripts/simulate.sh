#!/usr/bin/env bash
# The garage simulator: starts a whole lot on this machine (fresh RabbitMQ vhost and PostgreSQL databases
# on the local servers, Stripe on WireMock, cloud-sync, 2 payment workers, 3 edge levels as child processes)
# and drives a compressed day of traffic through it. Options: scripts/simulate.sh --help, docs/simulator.md.
# Needs the local services (scripts/services.sh). SIMULATOR_SKIP_BUILD=1 reuses the built jars.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-home.sh
help=0
for arg in "$@"; do
  case "$arg" in -h|--help) help=1 ;; esac
done
# --help only needs the jar: no services started, no rebuild when one is there.
if [ "$help" = 1 ] && [ -f simulator/target/simulator.jar ]; then
  SIMULATOR_SKIP_BUILD=1
else
  [ "$help" = 1 ] || scripts/services.sh
fi
if [ "${SIMULATOR_SKIP_BUILD:-0}" != 1 ]; then
  ./mvnw -B -ntp -q package -DskipTests -pl simulator -am
fi
exec java -Dparking.root="$PWD" -cp simulator/target/simulator.jar "${SIMULATOR_MAIN:-org.openparking.simulator.GarageSimulator}" "$@"
