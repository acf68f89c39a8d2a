#!/usr/bin/env bash
# Smoke test of the images: builds them (or reuses the cached layers), starts the stack of stack.sh in a
# pod of its own, drives a car in and out through the edge container with the fee charged by a worker
# container against the Stripe stand-in, finds the session and the payment in the portal API after a real
# login, kills one worker and drives a second car, charged by the other, then removes everything it made.
# Prints "smoke: N passed, M failed"; skipped (exit 0) only where podman or runc is absent.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
source deploy/podman/lib.sh

if ! have_podman; then
  echo "smoke: SKIPPED: podman and runc are not installed (scripts/services.sh installs them on Debian)"
  exit 0
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
export STACK_POD="opsmoke$$" STACK_LOT="smoke$$"
STACK_SECRETS=$(mktemp -d /tmp/openparking-smoke.XXXXXX)
export STACK_SECRETS
PORTAL_PORT=$(free_port); EDGE_PORT=$(free_port); STRIPE_STUB_PORT=$(free_port)
export PORTAL_PORT EDGE_PORT STRIPE_STUB_PORT
passed=0; failed=0

cleanup() {
  deploy/podman/stack.sh down >/dev/null 2>&1
  rm -rf "$STACK_SECRETS"
}
trap cleanup EXIT INT TERM

ok() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
json() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {"d": d}))' "$1"; }
edge() { # METHOD PATH [BODY]: as the level's lane terminal (its device key)
  curl -sS --max-time 60 -X "$1" -H "X-Device-Key: $(cat "$STACK_SECRETS/edge-device-key")" \
    -H 'Content-Type: application/json' ${3:+-d "$3"} "http://127.0.0.1:$EDGE_PORT/api/v1$2"
}
portal() { curl -sS --max-time 30 -H "Authorization: Bearer $token" "http://127.0.0.1:$PORTAL_PORT/api/v1$1"; }
stripe_posts() {
  curl -sS "http://127.0.0.1:$STRIPE_STUB_PORT/__admin/requests" \
    | json 'sum(1 for r in d["requests"] if r["request"]["method"] == "POST" and r["request"]["url"] == "/v1/payment_intents")'
}
# Connections of a broker user, from the broker itself.
connections_of() { podman exec "$STACK_POD-rabbitmq" rabbitmqctl -q list_connections user | grep -cx "$1"; }
eventually() { # SECONDS COMMAND...: until COMMAND succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -ge $deadline ] && return 1; sleep 2; done
}
past_busy() { # PATH BODY: POST to the edge, again while the lane answers LANE_BUSY (at most 90 s)
  local answer deadline=$((SECONDS + 90))
  while answer=$(edge POST "$1" "$2") && grep -q '"LANE_BUSY"' <<<"$answer" && [ $SECONDS -lt $deadline ]; do
    sleep 2
  done
  echo "$answer"
}
drive() { # PLATE: in and out, paid by card; prints the session id
  local entry exit sid
  # The gate of the previous car closes after lane.passage-timeout (no car crosses the loops here), at the
  # entry and at the exit: the previous car's exit gate may still be open when this car leaves.
  entry=$(past_busy /lanes/in-1/entries "{\"plate\":\"$1\"}")
  sid=$(json 'd["sessionId"]' <<<"$entry") || { echo "entry refused: $entry" >&2; return 1; }
  # Park for a moment: with no grace the fee starts after the first second (a stay of 0 s is free), and
  # the edge now answers an entry and an exit within the same second.
  sleep 2
  exit=$(past_busy /lanes/out-1/exits "{\"ticket\":\"$(json 'd["ticket"]' <<<"$entry")\",\"paymentMethod\":\"pm_card_visa\"}")
  [ "$(json 'd["payment"]["status"]' <<<"$exit")" = PAID ] || { echo "exit not paid: $exit" >&2; return 1; }
  echo "$sid"
}
closed_in_portal() { portal "/sessions?limit=50" | json "any(s.get('sessionId') == '$1' and s.get('status') == 'CLOSED' for s in (d if isinstance(d, list) else d.get('sessions', d.get('items', []))))" | grep -qx True; }
paid_in_portal() { portal "/payments?limit=50" | json "any(p.get('sessionId') == '$1' and p.get('outcome') in ('SUCCEEDED', 'PAID') for p in (d if isinstance(d, list) else d.get('payments', d.get('items', []))))" | grep -qx True; }

start=$SECONDS
echo "--- images (scripts/images.sh)"
if scripts/images.sh >"$STACK_SECRETS/images.log" 2>&1; then
  ok "images built in $((SECONDS - start)) s: $(podman images --format '{{.Repository}}:{{.Tag}}={{.Size}}' | grep "openparking/.*:$IMAGE_TAG" | sed 's#localhost/##' | tr '\n' ' ')"
else
  fail "images"; tail -30 "$STACK_SECRETS/images.log"; echo "smoke: $passed passed, $failed failed"; exit 1
fi

echo "--- stack (deploy/podman/stack.sh up)"
t=$SECONDS
if deploy/podman/stack.sh up >"$STACK_SECRETS/up.log" 2>&1; then
  ok "stack up and healthy in $((SECONDS - t)) s"
else
  fail "stack up"; grep -v systemd "$STACK_SECRETS/up.log" | tail -40; echo "smoke: $passed passed, $failed failed"; exit 1
fi

# Production configuration as the containers see it.
[ "$(podman exec "$STACK_POD-edge-l0" id -u)" = 10001 ] && [ "$(podman exec "$STACK_POD-cloud-sync" id -u)" = 10001 ] \
  && ok "edge and cloud run as uid 10001" || fail "a service runs as another user"
if podman inspect "$STACK_POD-cloud-sync" "$STACK_POD-payment-worker-1" "$STACK_POD-edge-l0" --format '{{.Config.Env}}' \
    | grep -qF -e "$(cat "$STACK_SECRETS/cloud-sync-amqp-password")" -e "$(cat "$STACK_SECRETS/tickets-secret")"; then
  fail "a secret is in a container's environment"
else
  ok "no secret in the containers' environment (files under /etc/openparking, /run/secrets)"
fi
users=$(podman exec "$STACK_POD-rabbitmq" rabbitmqctl -q list_users)
if ! grep -q '^guest' <<<"$users" && grep -q "^edge-$STACK_LOT-L0" <<<"$users" && grep -q '^payment-worker' <<<"$users"; then
  ok "broker users from the role: guest gone, edge-$STACK_LOT-L0, cloud-sync, payment-worker"
else
  fail "broker users: $users"
fi
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{"present":true}' \
  "http://127.0.0.1:$EDGE_PORT/api/v1/simulator/lanes/in-1/arming")
[ "$code" = 404 ] && ok "edge in production mode: simulator API 404" || fail "edge simulator API answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{}' "http://127.0.0.1:$EDGE_PORT/api/v1/lanes/in-1/entries")
[ "$code" = 401 ] && ok "edge token mode: an entry without a device key is 401" || fail "an entry without a device key answered $code"

echo "--- car 1: in and out through the edge container, paid through a worker"
token=$(curl -sS -X POST -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$(cat "$STACK_SECRETS/portal-admin-password")\"}" \
  "http://127.0.0.1:$PORTAL_PORT/api/v1/auth/login" | json 'd["token"]') && [ -n "$token" ] \
  && ok "portal login as admin with the generated password" || fail "portal login"
eventually 120 test "$(connections_of payment-worker)" = 2 && ok "both workers connected to the broker" \
  || fail "workers connected: $(connections_of payment-worker)"
if sid1=$(drive "SMOKE-$$-1"); then ok "car 1 in and out, exit PAID (session $sid1)"; else fail "car 1"; fi
[ "$(stripe_posts)" -ge 1 ] && ok "Stripe stand-in charged by a worker" || fail "no charge at the Stripe stand-in"
eventually 120 closed_in_portal "${sid1:-none}" && ok "portal: session $sid1 CLOSED" || fail "portal lacks closed session ${sid1:-}"
eventually 120 paid_in_portal "${sid1:-none}" && ok "portal: payment of $sid1 paid" || fail "portal lacks the payment of ${sid1:-}"

echo "--- worker 1 killed: worker 2 takes over"
podman kill "$STACK_POD-payment-worker-1" >/dev/null
eventually 60 test "$(connections_of payment-worker)" = 1 && ok "worker 1 gone from the broker" || fail "worker 1 still connected"
before=$(stripe_posts)
if sid2=$(drive "SMOKE-$$-2"); then ok "car 2 in and out, exit PAID with one worker left (session $sid2)"; else fail "car 2"; fi
[ "$(stripe_posts)" -gt "$before" ] && ok "car 2 charged at the Stripe stand-in" || fail "car 2 not charged"
requests_drained() {
  podman exec "$STACK_POD-rabbitmq" rabbitmqctl -q list_queues -p /parking name messages \
    | grep -q '^payments.requests[[:space:]]0$'
}
# The worker acks its request after it has published the result, so the exit can answer PAID a moment before
# the queue reads empty: wait for it rather than read it once.
if [ -n "${sid2:-}" ] && eventually 60 requests_drained; then
  ok "worker 2 consumed it (payments.requests empty)"
else
  fail "car 2 not paid or payments.requests not drained"
  # What is left, and who holds it: ready or unacknowledged, and by how many consumers.
  podman exec "$STACK_POD-rabbitmq" rabbitmqctl -q list_queues -p /parking name messages_ready \
    messages_unacknowledged consumers | sed 's/^/     /'
  podman logs --tail 15 "$STACK_POD-payment-worker-2" 2>&1 | sed 's/^/     worker 2: /'
fi
eventually 120 paid_in_portal "${sid2:-none}" && ok "portal: payment of $sid2 paid" || fail "portal lacks the payment of ${sid2:-}"

echo "--- down"
deploy/podman/stack.sh down >/dev/null
left=$( (podman ps -a --format '{{.Names}}'; podman pod ps --format '{{.Name}}'; podman volume ls --format '{{.Name}}'; podman secret ls --format '{{.Name}}') | grep -c "^$STACK_POD" )
[ "$left" = 0 ] && ok "nothing left behind (containers, pod, volumes, secrets)" || fail "$left objects of $STACK_POD left"

echo "smoke: $passed passed, $failed failed ($((SECONDS - start)) s)"
[ "$failed" -eq 0 ]
