#!/usr/bin/env bash
# The chaos suite: the garage simulator's traffic while edges, cloud-sync and payment workers are killed
# with kill -9 and restarted, the lot's broker connections closed and the edges' broker link cut; then a
# counting report. Exits 1 if any acknowledged session or payment is missing, duplicated or double-charged.
# --faults broker,postgres,backlog also kills a private RabbitMQ node, crashes a private PostgreSQL cluster
# and queues a large backlog behind a cut; --soak 1h is the soak (every fault, sampled and charted).
# Options: scripts/chaos.sh --help, docs/simulator.md, docs/reliability.md. The machine's RabbitMQ/PostgreSQL are never stopped.
set -euo pipefail
export SIMULATOR_MAIN=org.openparking.simulator.ChaosSuite
exec "$(dirname "$0")/simulate.sh" "$@"
