#!/usr/bin/env bash
# The cloud stack from the images, in one podman pod, in the production configuration: RabbitMQ,
# PostgreSQL and Mosquitto configured by the Ansible roles (ansible/broker.yml through podman exec:
# per-service and per-edge broker users, the topology, the ACL, guest deleted), cloud-sync, two payment
# workers and one edge level (lot STACK_LOT, level L0) in token mode with its production guards on. Every
# secret is a generated file in STACK_SECRETS, handed to the containers as podman secrets (files under
# /run/secrets, never environment variables or defaults). The containers talk over the pod's loopback;
# only the portal, the edge and the Stripe stand-in are published, on 127.0.0.1.
#
#   deploy/podman/stack.sh up       start it (images from scripts/images.sh, tag IMAGE_TAG)
#   deploy/podman/stack.sh down     remove the pod, its containers, volumes and secrets
#   deploy/podman/stack.sh status
#
# STACK_POD (openparking), STACK_LOT (stack), STACK_SECRETS (/var/lib/openparking-stack/$STACK_POD),
# PORTAL_PORT (18081), EDGE_PORT (18080), STRIPE_STUB_PORT (18111). Stripe: STRIPE_API_BASE and a key in
# $STACK_SECRETS/stripe-api-key for the real one; unset, a WireMock stand-in runs in the pod.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
source deploy/podman/lib.sh

POD=${STACK_POD:-openparking}
LOT=${STACK_LOT:-stack}
SECRETS=${STACK_SECRETS:-/var/lib/openparking-stack/$POD}
PORTAL_PORT=${PORTAL_PORT:-18081}
EDGE_PORT=${EDGE_PORT:-18080}
STRIPE_STUB_PORT=${STRIPE_STUB_PORT:-18111}
OPERATOR=stack-operator
WIREMOCK_JAR=${WIREMOCK_JAR:-$(ls ~/.m2/repository/org/wiremock/wiremock-standalone/*/wiremock-standalone-*.jar 2>/dev/null | sort -V | tail -1)}

log() { echo "stack: $*"; }
run() { podman run -d "${PODMAN_FLAGS[@]}" --pod "$POD" --health-interval disable "$@" >/dev/null; }

# A secret file, made once: random hex of the given length.
secret() {
  local f="$SECRETS/$1"
  [ -s "$f" ] || (umask 077; head -c "${2:-24}" /dev/urandom | od -An -tx1 | tr -d ' \n' >"$f")
  cat "$f"
}

# A podman secret from a file; replaced, so a changed file reaches the next start.
podman_secret() {
  podman secret rm "$POD-$1" >/dev/null 2>&1 || true
  podman secret create "$POD-$1" "$2" >/dev/null
}

wait_healthy() { # CONTAINER SECONDS
  local c=$1 deadline=$((SECONDS + $2)) since=$SECONDS
  until podman healthcheck run "$c" >/dev/null 2>&1; do
    if [ "$(podman inspect -f '{{.State.Running}}' "$c" 2>/dev/null)" != true ]; then
      log "$c stopped:"; podman logs --tail 40 "$c" >&2 || true; return 1
    fi
    if [ $SECONDS -ge $deadline ]; then log "$c not healthy after $2 s:"; podman logs --tail 40 "$c" >&2; return 1; fi
    sleep 1
  done
  log "$c healthy after $((SECONDS - since)) s"
}

make_config() {
  mkdir -p "$SECRETS"; chmod 0700 "$SECRETS"
  local cookie admin edge_amqp edge_mqtt cs_amqp pw_amqp cs_db pw_db tickets device admin_pw stripe_key webhook
  cookie=$(secret erlang-cookie 32); admin=$(secret rabbitmq-admin-password)
  edge_amqp=$(secret edge-amqp-password); edge_mqtt=$(secret edge-mqtt-password)
  cs_amqp=$(secret cloud-sync-amqp-password); pw_amqp=$(secret payment-worker-amqp-password)
  cs_db=$(secret cloud-sync-db-password); pw_db=$(secret payment-worker-db-password)
  tickets=$(secret tickets-secret 32); device=$(secret edge-device-key 32)
  admin_pw=$(secret portal-admin-password); webhook=whsec_$(secret stripe-webhook-secret)
  # A real Stripe (STRIPE_API_BASE set) uses the key put in stripe-api-key as it is; the stand-in a made-up one.
  if [ -n "${STRIPE_API_BASE:-}" ]; then
    [ -s "$SECRETS/stripe-api-key" ] || { echo "stack: put the Stripe secret key in $SECRETS/stripe-api-key" >&2; exit 1; }
    stripe_key=$(cat "$SECRETS/stripe-api-key")
  else
    stripe_key=sk_test_$(secret stripe-api-key)
  fi
  # The token signing key as a JWK (lib.sh).
  [ -s "$SECRETS/signing-key.jwk" ] || signing_jwk "$SECRETS/signing-key.jwk"
  local stripe_base=${STRIPE_API_BASE:-http://127.0.0.1:12111}
  local amqp=127.0.0.1:5672/%2Fparking device_hash
  device_hash=$(printf '%s' "$device" | sha256sum | cut -d' ' -f1)
  (
    umask 077
    printf '%s\n' \
      "db: {url: 'jdbc:postgresql://127.0.0.1:5432/parking?user=cloud_sync&password=$cs_db'}" \
      "amqp: {uri: 'amqp://cloud-sync:$cs_amqp@$amqp', trusted-users: ''}" \
      "auth: {key-file: /run/secrets/signing-key.jwk, bootstrap-admin-password: '$admin_pw'}" >"$SECRETS/cloud-sync.yaml"
    for n in 1 2; do
      printf '%s\n' \
        "server: {port: $((8081 + n))}" \
        "amqp: {uri: 'amqp://payment-worker:$pw_amqp@$amqp', trusted-users: ''}" \
        "db: {url: 'jdbc:postgresql://127.0.0.1:5432/payments?user=payment_worker&password=$pw_db'}" \
        "stripe: {api-key: '$stripe_key', api-base: '$stripe_base', webhook-secret: '$webhook'}" >"$SECRETS/payment-worker-$n.yaml"
    done
    # The edge: production guards (token mode, no simulator API), its own broker users; a fee from the
    # first minute (no grace) so that every exit is charged, a wait long enough for a loaded machine, and
    # gates that close 5 s after opening (no car crosses the loops: there is no hardware).
    printf '%s\n' \
      "edge: {lot-id: '$LOT', level-id: L0, db-path: /data/edge.db, operator-id: $OPERATOR, development: false}" \
      "auth: {mode: token, device-key-hashes: ['$device_hash']}" \
      "tickets: {secret: '$tickets'}" \
      "tariff: {grace-minutes: 0}" \
      "payments: {wait: PT30S}" \
      "lane: {passage-timeout: PT5S}" \
      "mqtt: {uri: 'tcp://127.0.0.1:1883', username: 'edge-$LOT-L0', password: '$edge_mqtt'}" \
      "cloud: {amqp-uri: 'amqp://edge-$LOT-L0:$edge_amqp@$amqp', trusted-users: ''}" >"$SECRETS/edge-l0.yaml"
  )
  for s in erlang-cookie cloud-sync-db-password payment-worker-db-password signing-key.jwk cloud-sync.yaml \
           payment-worker-1.yaml payment-worker-2.yaml edge-l0.yaml; do
    podman_secret "$s" "$SECRETS/$s"
  done
}

up() {
  have_podman || { echo "stack: podman and runc are needed" >&2; exit 1; }
  for image in edge cloud rabbitmq postgres mosquitto; do
    podman image exists "openparking/$image:$IMAGE_TAG" || { echo "stack: no image openparking/$image:$IMAGE_TAG (scripts/images.sh)" >&2; exit 1; }
  done
  local start=$SECONDS
  make_config
  local ports=(-p "127.0.0.1:$PORTAL_PORT:8081" -p "127.0.0.1:$EDGE_PORT:8080")
  [ -n "${STRIPE_API_BASE:-}" ] || ports+=(-p "127.0.0.1:$STRIPE_STUB_PORT:12111")
  podman pod create --name "$POD" "${ports[@]}" >/dev/null

  log "brokers and database"
  run --name "$POD-rabbitmq" --secret "$POD-erlang-cookie,target=erlang-cookie,uid=$(podman run --rm "${PODMAN_FLAGS[@]}" --entrypoint id "openparking/rabbitmq:$IMAGE_TAG" -u),mode=0400" \
    -v "$POD-rabbitmq:/var/lib/rabbitmq" "openparking/rabbitmq:$IMAGE_TAG"
  run --name "$POD-postgres" -v "$POD-postgres:/var/lib/postgresql/data" \
    --secret "$POD-cloud-sync-db-password,target=cloud-sync-db-password,uid=$(podman run --rm "${PODMAN_FLAGS[@]}" --entrypoint id "openparking/postgres:$IMAGE_TAG" -u),mode=0400" \
    --secret "$POD-payment-worker-db-password,target=payment-worker-db-password,uid=$(podman run --rm "${PODMAN_FLAGS[@]}" --entrypoint id "openparking/postgres:$IMAGE_TAG" -u),mode=0400" \
    -e POSTGRES_DATABASES="parking:cloud_sync:/run/secrets/cloud-sync-db-password payments:payment_worker:/run/secrets/payment-worker-db-password" \
    "openparking/postgres:$IMAGE_TAG"
  run --name "$POD-mosquitto" "openparking/mosquitto:$IMAGE_TAG"
  if [ -z "${STRIPE_API_BASE:-}" ]; then
    [ -f "$WIREMOCK_JAR" ] || { echo "stack: no wiremock-standalone jar for the Stripe stand-in (WIREMOCK_JAR)" >&2; exit 1; }
    run --name "$POD-stripe-stub" -v "$WIREMOCK_JAR:/opt/wiremock.jar:ro" -v "$repo/deploy/podman/stripe-stub:/stubs:ro" \
      "$STANDIN_BUILD" java -Xmx128m -jar /opt/wiremock.jar --port 12111 --root-dir /stubs --disable-banner
  fi
  wait_healthy "$POD-rabbitmq" 180

  log "broker users, topology and ACL from the Ansible roles (ansible/broker.yml)"
  ANSIBLE_CONFIG="$repo/ansible/ansible.cfg" ANSIBLE_NOCOLOR=1 ansible-playbook -i deploy/podman/inventory.yml \
    -e "stack_pod=$POD" -e "stack_lot=$LOT" -e "stack_secrets=$SECRETS" ansible/broker.yml >"$SECRETS/ansible.log" 2>&1 \
    || { tail -40 "$SECRETS/ansible.log" >&2; exit 1; }
  wait_healthy "$POD-postgres" 120
  wait_healthy "$POD-mosquitto" 60

  log "cloud-sync, two payment workers, edge L0"
  local cfg="target=/etc/openparking/config.yaml,uid=10001,mode=0400"
  run --name "$POD-cloud-sync" -e PARKING_CONFIG=/etc/openparking/config.yaml \
    --secret "$POD-cloud-sync.yaml,$cfg" --secret "$POD-signing-key.jwk,target=signing-key.jwk,uid=10001,mode=0400" \
    "openparking/cloud:$IMAGE_TAG" cloud-sync
  wait_healthy "$POD-cloud-sync" 180
  for n in 1 2; do
    run --name "$POD-payment-worker-$n" -e PARKING_CONFIG=/etc/openparking/config.yaml -e SERVER_PORT=$((8081 + n)) \
      --secret "$POD-payment-worker-$n.yaml,$cfg" "openparking/cloud:$IMAGE_TAG" payment-worker
  done
  run --name "$POD-edge-l0" -e PARKING_CONFIG=/etc/openparking/config.yaml -v "$POD-edge-l0:/data" \
    --secret "$POD-edge-l0.yaml,$cfg" "openparking/edge:$IMAGE_TAG"
  wait_healthy "$POD-payment-worker-1" 180
  wait_healthy "$POD-payment-worker-2" 180
  wait_healthy "$POD-edge-l0" 180
  log "up in $((SECONDS - start)) s: portal http://127.0.0.1:$PORTAL_PORT (admin, password in $SECRETS/portal-admin-password), edge http://127.0.0.1:$EDGE_PORT"
}

down() {
  podman pod rm -f "$POD" >/dev/null 2>&1 || true
  for v in rabbitmq postgres edge-l0; do podman volume rm -f "$POD-$v" >/dev/null 2>&1 || true; done
  for s in $(podman secret ls --format '{{.Name}}' 2>/dev/null | grep "^$POD-" || true); do podman secret rm "$s" >/dev/null; done
  log "pod $POD, its volumes and secrets removed (secret files stay in $SECRETS)"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) podman pod ps --filter "name=^$POD\$"; podman ps -a --filter "pod=$POD" --format '{{.Names}} {{.Status}}' ;;
  *) echo "usage: deploy/podman/stack.sh up|down|status" >&2; exit 2 ;;
esac
