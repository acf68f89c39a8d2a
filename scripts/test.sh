#!/usr/bin/env bash
# The whole test suite: starts (installing if needed) the local services, builds every module and runs
# unit, integration, crash and browser tests (Maven verify), then the Ansible rollout tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-home.sh
scripts/services.sh
./mvnw -B -ntp verify "$@"
if [ -x ansible/tests/run.sh ]; then
  ansible/tests/run.sh
fi
