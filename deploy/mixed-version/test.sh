#!/usr/bin/env bash
# Mixed versions: an edge one release behind keeps syncing with the current cloud.
#
# There is no tagged release yet, so "the previous release" is defined here, by commit: PREVIOUS_RELEASE
# (default below) is main just before the last integration round (the first parent of the merge of issue
# 20, 887cee0: issues 13 to 20 came in after it, with edge changes to its sync states, commands and meters).
# The test builds that commit's edge jar from git history (cached in target/mixed-version/edge-<commit>/),
# runs it against the current cloud-sync and payment-worker jars of this checkout, each on its own broker
# user in a private vhost on the local RabbitMQ (no trusted user: every author checked) and on private
# databases, with the Stripe stand-in, then:
#   1. a car enters and leaves through the old edge, its exit paid by card through the current worker;
#   2. the current cloud has the session CLOSED and its payment, seen in the portal API after a real login;
#   3. the old edge's own session.opened event, re-sent with schemaVersion 2 (newer than any build reads),
#      is dead-lettered by cloud-sync to parking.dead with x-dead-reason UNSUPPORTED_SCHEMA_VERSION, and
#      the session it describes is not changed.
# Prints "mixed-version: N passed, M failed". Needs git history, the local RabbitMQ and PostgreSQL, Java
# 21+, curl, Debian's python3-pika (as the Ansible tests).
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
PREVIOUS_RELEASE=${PREVIOUS_RELEASE:-12367bb9ae704ff28a5bd2864c05b67081c5473a}
source scripts/java-home.sh >/dev/null
java="$JAVA_HOME/bin/java"
py=/usr/bin/python3
id="mv$$"
lot="$id"
vhost="/$id"
vhost_uri="%2F$id"
edge_user="edge-$lot-L0"; sync_user="$id-cloud-sync"; worker_user="$id-payment-worker"
pass=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
admin_pw=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
sync_db="${id}_parking"; worker_db="${id}_payments"
work=$(mktemp -d /tmp/openparking-mixed.XXXXXX)
pids=()
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
finish() { echo "mixed-version: $passed passed, $failed failed ($((SECONDS - start)) s)"; [ "$failed" -eq 0 ]; exit; }
start=$SECONDS

cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  rabbitmqctl -q delete_vhost "$vhost" >/dev/null 2>&1
  for u in "$edge_user" "$sync_user" "$worker_user"; do rabbitmqctl -q delete_user "$u" >/dev/null 2>&1; done
  for d in "$sync_db" "$worker_db"; do psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
json() { "$py" -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {"d": d}))' "$1"; }
healthy() { curl -fsS --max-time 5 "http://127.0.0.1:$1/observe/health" >/dev/null 2>&1; }
eventually() { # SECONDS COMMAND...
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -ge $deadline ] && return 1; sleep 1; done
}

echo "--- the previous release's edge ($PREVIOUS_RELEASE)"
git cat-file -e "$PREVIOUS_RELEASE^{commit}" 2>/dev/null \
  || { fail "commit $PREVIOUS_RELEASE is not in this clone's history (a shallow clone? git fetch --unshallow)"; finish; }
old="$repo/target/mixed-version/edge-$PREVIOUS_RELEASE"
if [ -f "$old/edge-controller.jar" ] && [ -d "$old/libs" ]; then
  ok "previous edge jar reused from ${old#"$repo"/}"
else
  src="$work/src"
  mkdir -p "$src"
  git archive "$PREVIOUS_RELEASE" | tar -x -C "$src"
  t=$SECONDS
  if (cd "$src" && ./mvnw -B -ntp -q -DskipTests -Dedge.aot.skip=true -pl edge-controller -am package) >"$work/build.log" 2>&1; then
    mkdir -p "$old.tmp" && cp -r "$src/edge-controller/target/edge-controller.jar" "$src/edge-controller/target/libs" "$old.tmp/" \
      && rm -rf "$old" && mv "$old.tmp" "$old"
    ok "previous edge jar built from git history in $((SECONDS - t)) s (cached in ${old#"$repo"/})"
  else
    fail "building the previous edge"; tail -30 "$work/build.log"; finish
  fi
  rm -rf "$src"
fi
for m in cloud-sync payment-worker; do
  if [ ! -f "$m/target/$m.jar" ] || [ ! -d "$m/target/libs" ]; then
    echo "mixed-version: packaging the current cloud jars (mvnw package -DskipTests)"
    ./mvnw -B -ntp -q -DskipTests -pl cloud-sync,payment-worker -am package >"$work/package.log" 2>&1 \
      || { fail "packaging the current cloud jars"; tail -30 "$work/package.log"; finish; }
    break
  fi
done
current=$(git rev-parse --short HEAD)

echo "--- broker and databases: vhost $vhost, users $edge_user, $sync_user, $worker_user"
rabbitmqctl -q add_vhost "$vhost" >/dev/null || { fail "cannot add vhost $vhost"; finish; }
for u in "$edge_user" "$sync_user" "$worker_user"; do
  rabbitmqctl -q add_user "$u" "$pass" >/dev/null && rabbitmqctl -q set_permissions -p "$vhost" "$u" '.*' '.*' '.*' >/dev/null \
    || { fail "cannot add broker user $u"; finish; }
done
for d in "$sync_db" "$worker_db"; do
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $d" >/dev/null || { fail "cannot create database $d"; finish; }
done

sync_port=$(free_port); worker_port=$(free_port); edge_port=$(free_port); stripe_port=$(free_port)
amqp="127.0.0.1:5672/$vhost_uri"
wiremock=$(ls ~/.m2/repository/org/wiremock/wiremock-standalone/*/wiremock-standalone-*.jar 2>/dev/null | sort -V | tail -1)
[ -f "$wiremock" ] || { fail "no wiremock-standalone jar in ~/.m2 for the Stripe stand-in"; finish; }
"$java" -Xmx128m -jar "$wiremock" --port "$stripe_port" --bind-address 127.0.0.1 --root-dir deploy/podman/stripe-stub \
  --disable-banner >"$work/stripe.log" 2>&1 &
pids+=($!)
printf '%s\n' \
  "server: {port: $sync_port, host: 127.0.0.1}" \
  "db: {url: 'jdbc:postgresql://127.0.0.1:5432/$sync_db?user=postgres'}" \
  "amqp: {uri: 'amqp://$sync_user:$pass@$amqp', worker-user: '$worker_user', trusted-users: ''}" \
  "auth: {bootstrap-admin-password: '$admin_pw'}" >"$work/cloud-sync.yaml"
printf '%s\n' \
  "server: {port: $worker_port, host: 127.0.0.1}" \
  "amqp: {uri: 'amqp://$worker_user:$pass@$amqp', cloud-sync-user: '$sync_user', trusted-users: ''}" \
  "db: {url: 'jdbc:postgresql://127.0.0.1:5432/$worker_db?user=postgres'}" \
  "stripe: {api-key: 'sk_test_mixed', api-base: 'http://127.0.0.1:$stripe_port', webhook-secret: 'whsec_mixed'}" >"$work/payment-worker.yaml"
# The old edge is configured with the keys of its own release (all of them exist there too): a fee from the
# first second, gates that close 5 s after opening (no car crosses the loops), a development rig (open auth).
printf '%s\n' \
  "server: {port: $edge_port, host: 127.0.0.1}" \
  "edge: {lot-id: '$lot', level-id: L0, db-path: '$work/edge.db', development: true}" \
  "tariff: {grace-minutes: 0}" \
  "payments: {wait: PT30S}" \
  "lane: {passage-timeout: PT5S}" \
  "cloud: {amqp-uri: 'amqp://$edge_user:$pass@$amqp', cloud-sync-user: '$sync_user', worker-user: '$worker_user', trusted-users: ''}" \
  >"$work/edge.yaml"
jvm=(-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1)
PARKING_CONFIG="$work/cloud-sync.yaml" "$java" "${jvm[@]}" -jar cloud-sync/target/cloud-sync.jar >"$work/cloud-sync.log" 2>&1 &
pids+=($!)
eventually 180 healthy "$sync_port" && ok "current cloud-sync ($current) healthy" \
  || { fail "cloud-sync did not start"; tail -30 "$work/cloud-sync.log"; finish; }
PARKING_CONFIG="$work/payment-worker.yaml" "$java" "${jvm[@]}" -jar payment-worker/target/payment-worker.jar >"$work/payment-worker.log" 2>&1 &
pids+=($!)
PARKING_CONFIG="$work/edge.yaml" "$java" "${jvm[@]}" -jar "$old/edge-controller.jar" >"$work/edge.log" 2>&1 &
pids+=($!)
eventually 180 healthy "$worker_port" && ok "current payment-worker ($current) healthy" \
  || { fail "the worker did not start"; tail -30 "$work/payment-worker.log"; finish; }
eventually 180 healthy "$edge_port" && ok "edge of the previous release (${PREVIOUS_RELEASE:0:7}) healthy" \
  || { fail "the old edge did not start"; tail -30 "$work/edge.log"; finish; }
edge_sync() { curl -fsS "http://127.0.0.1:$edge_port/api/v1/sync" 2>/dev/null | json 'd.get("state")'; }
eventually 180 test "$(edge_sync)" = ONLINE && ok "old edge ONLINE with the current cloud's broker" \
  || fail "old edge sync state: $(curl -sS "http://127.0.0.1:$edge_port/api/v1/sync")"

# A copy of everything the old edge publishes, to re-send one of its own events with a newer schema version.
"$py" - "$edge_user" "$pass" "$vhost" "$lot" >"$work/tap.log" 2>&1 <<'EOF' &
import pika, sys
user, pw, vhost, lot = sys.argv[1:5]
c = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", 5672, vhost, pika.PlainCredentials(user, pw)))
ch = c.channel()
q = ch.queue_declare("", exclusive=True).method.queue
ch.queue_bind(q, "parking.events", "edge.%s.L0.#" % lot)
print("bound", flush=True)
for method, props, body in ch.consume(q, auto_ack=True, inactivity_timeout=120):
    if method is None:
        break
    print(method.routing_key + " " + body.decode(), flush=True)
EOF
pids+=($!)
eventually 30 grep -q '^bound' "$work/tap.log" || fail "could not tap parking.events"

echo "--- a car through the old edge, paid through the current worker"
edge() { curl -sS --max-time 60 -X "$1" -H 'Content-Type: application/json' ${3:+-d "$3"} "http://127.0.0.1:$edge_port/api/v1$2"; }
entry=$(edge POST /lanes/in-1/entries "{\"plate\":\"MIX-$$\"}")
sid=$(json 'd["sessionId"]' <<<"$entry" 2>/dev/null) && ok "entry through the old edge: session $sid" || fail "entry refused: $entry"
sleep 2
exit_=$(edge POST /lanes/out-1/exits "{\"ticket\":\"$(json 'd["ticket"]' <<<"$entry" 2>/dev/null)\",\"paymentMethod\":\"pm_card_visa\"}")
[ "$(json 'd["payment"]["status"]' <<<"$exit_" 2>/dev/null)" = PAID ] && ok "exit PAID: the current worker charged the old edge's request" \
  || fail "exit not paid: $exit_"
charges=$(curl -sS "http://127.0.0.1:$stripe_port/__admin/requests" \
  | json 'sum(1 for r in d["requests"] if r["request"]["method"] == "POST" and r["request"]["url"] == "/v1/payment_intents")' 2>/dev/null)
[ "${charges:-0}" -ge 1 ] && ok "the Stripe stand-in received the PaymentIntent" || fail "no charge at the Stripe stand-in"

token=$(curl -sS -X POST -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$admin_pw\"}" \
  "http://127.0.0.1:$sync_port/api/v1/auth/login" | json 'd["token"]' 2>/dev/null)
[ -n "$token" ] && ok "portal login as admin" || fail "portal login"
portal() { curl -sS --max-time 30 -H "Authorization: Bearer $token" "http://127.0.0.1:$sync_port/api/v1$1"; }
closed() { portal "/sessions?limit=50" | json "any(s.get('sessionId') == '$sid' and s.get('status') == 'CLOSED' for s in (d if isinstance(d, list) else d.get('sessions', d.get('items', []))))" 2>/dev/null | grep -qx True; }
paid() { portal "/payments?limit=50" | json "any(p.get('sessionId') == '$sid' and p.get('outcome') in ('SUCCEEDED', 'PAID') for p in (d if isinstance(d, list) else d.get('payments', d.get('items', []))))" 2>/dev/null | grep -qx True; }
eventually 60 closed && ok "current cloud: session $sid CLOSED" || fail "the cloud lacks the closed session $sid: $(portal "/sessions?limit=5")"
eventually 60 paid && ok "current cloud: the payment of $sid" || fail "the cloud lacks the payment of $sid: $(portal "/payments?limit=5")"

echo "--- a newer schema version is dead-lettered with its reason"
opened=$(grep -m1 '\.session\.opened ' "$work/tap.log")
if [ -z "$opened" ]; then
  fail "no session.opened of the old edge seen on parking.events"
else
  out=$("$py" - "$edge_user" "$pass" "$vhost" "$opened" <<'EOF'
import json, pika, sys, time, uuid
user, pw, vhost, line = sys.argv[1:5]
key, body = line.split(" ", 1)
env = json.loads(body)
assert env["schemaVersion"] == 1, env["schemaVersion"]
env["schemaVersion"] = 2
env["id"] = str(uuid.uuid4())
env["payload"]["plate"] = "NEWER-SCHEMA"
c = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", 5672, vhost, pika.PlainCredentials(user, pw)))
ch = c.channel()
ch.confirm_delivery()
ch.basic_publish("parking.events", key, json.dumps(env).encode(),
                 pika.BasicProperties(message_id=env["id"], user_id=user, delivery_mode=2, content_type="application/json"))
deadline = time.time() + 60
while time.time() < deadline:
    method, props, dead = ch.basic_get("parking.dead", auto_ack=False)
    if method is None:
        time.sleep(1)
        continue
    if props.message_id == env["id"]:
        ch.basic_ack(method.delivery_tag)
        print("dead-lettered", (props.headers or {}).get("x-dead-reason"), (props.headers or {}).get("x-dead-source-queue"))
        break
    ch.basic_nack(method.delivery_tag, requeue=True)
    time.sleep(0.2)
else:
    print("not dead-lettered")
EOF
)
  grep -q '^dead-lettered UNSUPPORTED_SCHEMA_VERSION: .* cloud-sync.events$' <<<"$out" \
    && ok "schemaVersion 2 of the old edge's session.opened: parking.dead, x-dead-reason UNSUPPORTED_SCHEMA_VERSION (from cloud-sync.events)" \
    || fail "newer schema version: $out"
  plate=$(psql -h 127.0.0.1 -U postgres -d "$sync_db" -tAc "SELECT plate FROM sessions WHERE session_id = '$sid'")
  [ -n "$plate" ] && [ "$plate" != NEWER-SCHEMA ] && ok "the refused message changed nothing (session $sid keeps plate $plate)" \
    || fail "session $sid after the refused message: plate '$plate'"
fi
grep -h 'ERROR' "$work/cloud-sync.log" "$work/payment-worker.log" | grep -v UNSUPPORTED_SCHEMA_VERSION | head -5 >"$work/errors"
[ -s "$work/errors" ] && fail "errors in the current services' logs: $(cat "$work/errors")" || ok "no other error in the current services' logs"
finish
