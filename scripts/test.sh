#!/usr/bin/env bash
# The whole test suite: starts (installing if needed) the local services, builds every module and runs
# unit, integration, crash and browser tests (Maven verify), then the Ansible rollout tests, the images'
# smoke test (built and run with podman), `podman kube play` of the Kubernetes manifests, their schema
# validation, and an edge of the previous release against the current cloud.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-home.sh
scripts/services.sh
./mvnw -B -ntp verify "$@"
if [ -x ansible/tests/run.sh ]; then
  ansible/tests/run.sh
fi
if [ -x deploy/podman/smoke.sh ]; then
  deploy/podman/smoke.sh
fi
if [ -x deploy/podman/kube-smoke.sh ]; then
  deploy/podman/kube-smoke.sh
fi
if [ -x k8s/validate/test.sh ]; then
  k8s/validate/test.sh
fi
if [ -x deploy/mixed-version/test.sh ]; then
  deploy/mixed-version/test.sh
fi
