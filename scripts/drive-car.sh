#!/usr/bin/env bash
# Drives one car through a running development edge (scripts/run-edge.sh): arrives at the entry, takes a
# ticket, passes the gate, parks, gets a quote, pays at the exit and leaves, printing ticket, fee and gate
# at every step. --help lists the options (URL, plate, stay, lanes).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-home.sh
jar=edge-controller/target/edge-controller.jar
if [ ! -f "$jar" ]; then
  echo "no $jar yet: start the edge once with scripts/run-edge.sh (it builds it)" >&2
  exit 1
fi
exec java -cp "$jar" org.openparking.edge.demo.DriveCar "$@"
