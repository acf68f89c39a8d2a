#!/usr/bin/env bash
# `podman kube play` of the Kubernetes manifests: renders k8s/overlays/hpa with `kubectl kustomize`, turns the
# result into one pod podman can run (deploy/podman/kube-render.py says what it keeps and what it changes),
# with the images built here, plays it, configures the pod's RabbitMQ with the rabbitmq role (ansible/broker.yml,
# as the stack does), and checks, printing "kube: N passed, M failed":
#   * the played containers are the Deployments' (image, args, env, mount paths), the services run as uid 10001;
#   * cloud-sync and both payment workers answer their probes' path on their probes' port (/observe/health);
#   * each service is on the broker as its own user (cloud-sync, payment-worker), guest is gone;
#   * `podman kube down` of the same file leaves no pod, container or volume behind.
# Skipped (exit 0) only where podman, runc or kubectl is absent. Builds no image: scripts/images.sh first
# (deploy/podman/smoke.sh, run before it by scripts/test.sh, does).
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
source deploy/podman/lib.sh

have_podman || { echo "kube: SKIPPED: podman and runc are not installed (scripts/services.sh installs them on Debian)"; exit 0; }
command -v kubectl >/dev/null || { echo "kube: SKIPPED: kubectl (for kubectl kustomize) is not installed"; exit 0; }
for image in cloud rabbitmq postgres; do
  podman image exists "openparking/$image:$IMAGE_TAG" \
    || { echo "kube: no image openparking/$image:$IMAGE_TAG: run scripts/images.sh first"; echo "kube: 0 passed, 1 failed"; exit 1; }
done

POD="opkube$$"
work=$(mktemp -d /tmp/openparking-kube.XXXXXX)
S="$work/secrets"
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
cleanup() {
  [ -f "$work/kube-play.yaml" ] && podman kube down "$work/kube-play.yaml" >/dev/null 2>&1
  podman pod rm -f "$POD" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
rnd() { head -c "${1:-24}" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
eventually() { local deadline=$((SECONDS + $1)); shift; until "$@"; do [ $SECONDS -ge $deadline ] && return 1; sleep 2; done; }
start=$SECONDS

echo "--- render (kubectl kustomize k8s/overlays/hpa) and adapt for podman (kube-render.py)"
kubectl kustomize k8s/overlays/hpa >"$work/rendered.yaml" || { fail "kubectl kustomize"; echo "kube: $passed passed, $failed failed"; exit 1; }
ports=$(printf '{"cloud-sync": %s, "payment-worker-1": %s, "payment-worker-2": %s}' "$(free_port)" "$(free_port)" "$(free_port)")
# Secrets by reference, as an operator creates them (docs/deployment.md), here files under $S (mode 0700).
mkdir -p "$S"/{cloud-sync-config,payment-worker-config,cloud-signing-key,rabbitmq,postgres}; chmod 0700 "$S"
for f in rabbitmq-admin-password cloud-sync-amqp-password payment-worker-amqp-password edge-amqp-password edge-mqtt-password \
         postgres/cloud-sync-db-password postgres/payment-worker-db-password; do rnd >"$S/$f"; done
rnd 32 >"$S/rabbitmq/erlang-cookie"
signing_jwk "$S/cloud-signing-key/signing-key.jwk"
amqp=127.0.0.1:5672/%2Fparking
printf '%s\n' \
  "db: {url: 'jdbc:postgresql://127.0.0.1:5432/parking?user=cloud_sync&password=$(cat "$S/postgres/cloud-sync-db-password")'}" \
  "amqp: {uri: 'amqp://cloud-sync:$(cat "$S/cloud-sync-amqp-password")@$amqp', trusted-users: ''}" \
  "auth: {bootstrap-admin-password: '$(rnd)'}" >"$S/cloud-sync-config/config.yaml"
printf '%s\n' \
  "amqp: {uri: 'amqp://payment-worker:$(cat "$S/payment-worker-amqp-password")@$amqp', trusted-users: ''}" \
  "db: {url: 'jdbc:postgresql://127.0.0.1:5432/payments?user=payment_worker&password=$(cat "$S/postgres/payment-worker-db-password")'}" \
  "stripe: {api-key: 'sk_test_$(rnd)', api-base: 'http://127.0.0.1:12111', webhook-secret: 'whsec_$(rnd)'}" >"$S/payment-worker-config/config.yaml"
# Readable only by the user that needs each: the services' uid 10001, the database image's postgres user.
chown -R 10001:10001 "$S/cloud-sync-config" "$S/payment-worker-config" "$S/cloud-signing-key"
chmod 0400 "$S"/{cloud-sync-config,payment-worker-config,cloud-signing-key}/*; chmod 0500 "$S/cloud-signing-key"
pg_uid=$(podman run --rm --no-healthcheck "${PODMAN_FLAGS[@]}" --entrypoint id "openparking/postgres:$IMAGE_TAG" -u)
chown -R "$pg_uid" "$S/postgres"; chmod 0400 "$S"/postgres/*; chmod 0500 "$S/postgres"
chmod 0400 "$S/rabbitmq/erlang-cookie"
if /usr/bin/python3 deploy/podman/kube-render.py "$work/rendered.yaml" "$POD" "$IMAGE_TAG" "$S" "$ports" >"$work/kube-play.yaml" 2>"$work/render.err"; then
  ok "one pod from the manifests: $(/usr/bin/python3 -c 'import sys,yaml; p=yaml.safe_load(open(sys.argv[1])); print(", ".join(c["name"] for c in p["spec"]["containers"]))' "$work/kube-play.yaml")"
else
  fail "kube-render: $(cat "$work/render.err")"; echo "kube: $passed passed, $failed failed"; exit 1
fi

echo "--- podman kube play"
t=$SECONDS
if podman kube play "$work/kube-play.yaml" >"$work/play.log" 2>&1; then
  ok "podman kube play: pod $POD started ($((SECONDS - t)) s)"
else
  fail "podman kube play"; tail -20 "$work/play.log"; echo "kube: $passed passed, $failed failed"; exit 1
fi
# What was played is what the Deployments say (the renderer changed only what its header lists).
/usr/bin/python3 - "$work/rendered.yaml" "$POD" >"$work/agree.out" 2>&1 <<'EOF'
import json, subprocess, sys, yaml
rendered, pod = sys.argv[1:3]
docs = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(open(rendered)) if d}
bad = []
for dep, names in (("cloud-sync", ["cloud-sync"]), ("payment-worker", ["payment-worker-1", "payment-worker-2"])):
    (want,) = docs[("Deployment", dep)]["spec"]["template"]["spec"]["containers"]
    for n in names:
        (got,) = json.loads(subprocess.check_output(["podman", "inspect", pod + "-" + n]))
        image = got["ImageName"].removeprefix("localhost/")
        if image.split(":")[0] != want["image"].split(":")[0] or image.split(":")[1] != want["image"].split(":")[1]:
            bad.append("%s image %s, manifest %s" % (n, image, want["image"]))
        if got["Config"]["Cmd"][-len(want["args"]):] != want["args"]:
            bad.append("%s args %s, manifest %s" % (n, got["Config"]["Cmd"], want["args"]))
        env = dict(e.split("=", 1) for e in got["Config"]["Env"])
        for e in want.get("env", []):
            if env.get(e["name"]) != e["value"]:
                bad.append("%s env %s=%s, manifest %s" % (n, e["name"], env.get(e["name"]), e["value"]))
        dests = {m["Destination"] for m in got["Mounts"]}
        for m in want.get("volumeMounts", []):
            if m["mountPath"] not in dests:
                bad.append("%s lacks the mount %s" % (n, m["mountPath"]))
print("\n".join(bad) or "agree")
EOF
grep -qx agree "$work/agree.out" && ok "the played containers have the Deployments' images, args, env and mount paths" \
  || fail "played containers differ from the manifests: $(cat "$work/agree.out")"

echo "--- broker users from the rabbitmq role (ansible/broker.yml)"
rabbit_up() { podman exec "$POD-rabbitmq" rabbitmq-diagnostics -q check_port_connectivity >/dev/null 2>&1; }
if eventually 180 rabbit_up; then
  t=$SECONDS
  if ANSIBLE_CONFIG="$repo/ansible/ansible.cfg" ANSIBLE_NOCOLOR=1 ansible-playbook -i deploy/podman/inventory.yml --limit stack-rabbitmq \
      -e "stack_pod=$POD" -e "stack_lot=kube$$" -e "stack_secrets=$S" ansible/broker.yml >"$work/ansible.log" 2>&1; then
    ok "rabbitmq role applied to the pod's broker ($((SECONDS - t)) s)"
  else
    fail "rabbitmq role"; tail -30 "$work/ansible.log"
  fi
else
  fail "the pod's RabbitMQ did not start"; podman logs --tail 20 "$POD-rabbitmq"
fi

echo "--- health on the probes' path and port"
# The probe of each Deployment (path, port name -> containerPort), requested on the port published for it.
probe() { /usr/bin/python3 - "$work/rendered.yaml" "$1" <<'EOF'
import sys, yaml
docs = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(open(sys.argv[1])) if d}
(c,) = docs[("Deployment", sys.argv[2])]["spec"]["template"]["spec"]["containers"]
for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
    g = c[kind]["httpGet"]
    port = next(p["containerPort"] for p in c["ports"] if p["name"] == g["port"])
    print(kind, g["path"], port)
EOF
}
host_port() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$ports" "$1"; }
healthy() { curl -fsS --max-time 5 "http://127.0.0.1:$1$2" >/dev/null 2>&1; }
for svc in cloud-sync payment-worker-1 payment-worker-2; do
  dep=${svc%-[12]}
  read -r _ path port < <(probe "$dep" | sort -u -k2 | head -1)
  [ "$(probe "$dep" | awk '{print $2" "$3}' | sort -u | wc -l)" = 1 ] || fail "$dep's probes disagree: $(probe "$dep")"
  t=$SECONDS
  if eventually 240 healthy "$(host_port "$svc")" "$path"; then
    ok "$svc healthy on $path (the probe's port $port$([ "$svc" = payment-worker-2 ] && echo ', this copy on SERVER_PORT 8083'), published 127.0.0.1:$(host_port "$svc")) after $((SECONDS - t)) s more"
  else
    fail "$svc not healthy on $path"; podman logs --tail 20 "$POD-$svc" 2>&1 | grep -v '^WARNING'
  fi
done
for svc in cloud-sync payment-worker-1; do
  [ "$(podman exec "$POD-$svc" id -u 2>/dev/null)" = 10001 ] && ok "$svc runs as uid 10001" || fail "$svc runs as uid $(podman exec "$POD-$svc" id -u 2>&1)"
done
conns=$(podman exec "$POD-rabbitmq" rabbitmqctl -q list_connections user 2>/dev/null | grep -vx user | sort | uniq -c | awk '{print $2"="$1}' | tr '\n' ' ')
grep -q 'cloud-sync=' <<<"$conns" && grep -q 'payment-worker=2' <<<"$conns" && ! grep -q guest <<<"$conns" \
  && ok "on the broker as their own users: $conns" || fail "broker connections: $conns"
! podman exec "$POD-rabbitmq" rabbitmqctl -q list_users 2>/dev/null | grep -q '^guest' && ok "guest is gone" || fail "guest still exists"

echo "--- podman kube down"
# The pod's own volumes (the emptyDir ones are anonymous podman volumes), to see them gone afterwards.
pod_vols=$(podman ps -a --filter "pod=$POD" -q | xargs -r podman inspect --format '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{end}}{{end}}' | tr -s ' \n' ' ')
[ -n "${pod_vols// /}" ] || fail "no volume found on the pod's containers (the emptyDir volumes)"
podman kube down "$work/kube-play.yaml" >"$work/down.log" 2>&1 || { fail "podman kube down"; cat "$work/down.log"; }
left=$( (podman pod ps --format '{{.Name}}'; podman ps -a --format '{{.Names}}') | grep -c "^$POD" )
left_vols=$(for v in $pod_vols; do podman volume exists "$v" && echo "$v"; done | tr '\n' ' ')
[ "$left" = 0 ] && ok "nothing left of pod $POD (pods, containers)" || fail "$left objects of $POD left"
[ -z "${left_vols// /}" ] && ok "the pod's $(wc -w <<<"$pod_vols") volumes (emptyDir) went with it" || fail "volumes left: $left_vols"
echo "kube: $passed passed, $failed failed ($((SECONDS - start)) s)"
[ "$failed" -eq 0 ]
