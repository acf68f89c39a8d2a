#!/usr/bin/env bash
# Validates the Kubernetes manifests: each overlay of k8s/ built with `kubectl kustomize`, every object
# checked against the Kubernetes OpenAPI schemas (kubernetes-models) and KEDA's CRD schemas
# (@kubernetes-models/keda) by validate.mjs, and the RabbitmqCluster against the JSON Schema derived from the
# RabbitMQ Cluster Operator's CRD (schemas/, with Ajv); then a deliberately broken copy must be refused, so
# the validator is shown to catch mistakes. Skipped (exit 0) where kubectl or node is absent. Prints
# "k8s: ... passed/failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
k8s=$(cd "$here/.." && pwd)
for tool in kubectl node npm; do
  command -v "$tool" >/dev/null || { echo "k8s: SKIPPED: $tool not installed"; exit 0; }
done
work=$(mktemp -d /tmp/openparking-k8s.XXXXXX)
trap 'rm -rf "$work"' EXIT
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >"$work/npm.log" 2>&1) || { cat "$work/npm.log"; exit 1; }
passed=0; failed=0
# The RabbitmqCluster schema is generated (schemas/gen-rabbitmqcluster.py): the committed file must be its output.
if python3 "$here/schemas/gen-rabbitmqcluster.py" "$work/rmq.schema.json" >/dev/null \
    && cmp -s "$work/rmq.schema.json" "$here/schemas/rabbitmqcluster-v1beta1.schema.json"; then
  passed=$((passed + 1)); echo "ok   schemas/rabbitmqcluster-v1beta1.schema.json is its generator's output"
else
  failed=$((failed + 1)); echo "FAIL schemas/rabbitmqcluster-v1beta1.schema.json differs from gen-rabbitmqcluster.py's output (run it)"
fi
for overlay in keda hpa; do
  if kubectl kustomize "$k8s/overlays/$overlay" >"$work/$overlay.yaml" && node "$here/validate.mjs" "$work/$overlay.yaml" >"$work/$overlay.out"; then
    passed=$((passed + 1)); echo "ok   overlays/$overlay: $(tail -1 "$work/$overlay.out") ($(grep -c '(CRD schema)$' "$work/$overlay.out") by a CRD schema)"
  else
    failed=$((failed + 1)); echo "FAIL overlays/$overlay"; grep -v '^valid' "$work/$overlay.out" 2>/dev/null
  fi
done
# A wrong type, a port that is not a number, a ScaledObject without its target's name, and in the
# RabbitmqCluster (the last object of the output): the override's pod spec without its required containers
# list, a storage size that is no quantity and a field the CRD does not have. Each must be refused.
sed -e 's/^  replicas: 3$/  replicas: three/' -e '0,/containerPort: 8081/s//containerPort: "8081x"/' \
    -e '/^kind: ScaledObject/,/^---/s/^    name: payment-worker$/    nme: payment-worker/' \
    -e '/^kind: RabbitmqCluster/,${/^            containers: \[\]$/d;s/^    storage: 20Gi$/    storage: 20 GiB/;s/^  image: /  imagePullPolicy: Always\n  image: /}' \
    "$work/keda.yaml" >"$work/broken.yaml"
node "$here/validate.mjs" "$work/broken.yaml" >"$work/broken.out"
rmq=$(grep '^INVALID rabbitmq.com/v1beta1/RabbitmqCluster rabbitmq: ' "$work/broken.out")
if grep -q 'INVALID apps/v1/Deployment cloud-sync: .*replicas must be integer.*containerPort must be integer' "$work/broken.out" \
    && grep -q "INVALID keda.sh/v1alpha1/ScaledObject payment-worker: .*scaleTargetRef must have required property name" "$work/broken.out" \
    && grep -q '/spec must NOT have additional properties (imagePullPolicy)' <<<"$rmq" \
    && grep -q '/spec/override/statefulSet/spec/template/spec required {"missingProperty":"containers"}' <<<"$rmq" \
    && grep -q '/spec/persistence/storage must match pattern' <<<"$rmq" \
    && grep -q '/spec/replicas must be integer' <<<"$rmq"; then
  passed=$((passed + 1)); echo "ok   a broken copy is refused for each planted mistake"
else
  failed=$((failed + 1)); echo "FAIL the validator missed a planted mistake:"; cat "$work/broken.out"
fi
echo "k8s: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
