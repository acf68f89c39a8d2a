#!/usr/bin/env bash
# The broker fault on a 3-node cluster: three private RabbitMQ nodes on this machine (own node names, free
# ports, their own directories under a temp dir, one shared Erlang cookie), clustered; a quorum queue whose
# leader is node 1; confirmed publishes and a consumer on node 0 while node 1 is killed with kill -9; then
# every confirmed message must have been consumed (exit 1 if one is missing). The machine's RabbitMQ is
# never touched. Usage: scripts/quorum-cluster-kill.sh [messages, default 20000]. docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-home.sh
messages=${1:-20000}
B=${RABBITMQ_BIN:-/usr/lib/rabbitmq/bin}
W=$(mktemp -d /tmp/quorum-cluster-XXXXXX)
mkdir -p "$W/home"
head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' > "$W/home/.erlang.cookie"
chmod 400 "$W/home/.erlang.cookie"
read -r -a free < <(python3 -c "
import socket
ss=[socket.socket() for _ in range(6)]
[s.bind(('127.0.0.1',0)) for s in ss]
print(*[s.getsockname()[1] for s in ss])")
ports=("${free[@]:0:3}"); dists=("${free[@]:3:3}")
tag=q$$
cleanup() {
  for i in 0 1 2; do [ -f "$W/n$i/pid" ] && kill -9 "$(cat "$W/n$i/pid")" 2>/dev/null || true; done
  rm -rf "$W"
}
trap cleanup EXIT
envs() { local i=$1; echo HOME="$W/home" RABBITMQ_NODENAME="$tag-n$i@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
  RABBITMQ_NODE_PORT="${ports[$i]}" RABBITMQ_DIST_PORT="${dists[$i]}" RABBITMQ_BASE="$W/n$i" \
  RABBITMQ_MNESIA_BASE="$W/n$i/mnesia" RABBITMQ_LOG_BASE="$W/n$i/log" RABBITMQ_PID_FILE="$W/n$i/pid" \
  RABBITMQ_CONFIG_FILE="$W/n$i/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$W/n$i/enabled_plugins"; }
ctl() { local i=$1; shift; env $(envs "$i") "$B/rabbitmqctl" -n "$tag-n$i@localhost" "$@"; }
for i in 0 1 2; do
  mkdir -p "$W/n$i"
  printf 'listeners.tcp.default = 127.0.0.1:%s\nloopback_users = none\nlog.file.level = warning\n' "${ports[$i]}" > "$W/n$i/rabbitmq.conf"
  echo '[].' > "$W/n$i/enabled_plugins"
  env $(envs "$i") setsid "$B/rabbitmq-server" > "$W/n$i.out" 2>&1 &
done
for i in 0 1 2; do
  t0=$(date +%s)
  until ctl "$i" await_startup >/dev/null 2>&1; do
    sleep 2
    [ $(( $(date +%s) - t0 )) -lt 240 ] || { echo "node $i did not start: $(tail -5 "$W/n$i.out")"; exit 1; }
  done
done
for i in 1 2; do ctl "$i" stop_app >/dev/null && ctl "$i" join_cluster "$tag-n0@localhost" >/dev/null && ctl "$i" start_app >/dev/null; done
ctl 0 cluster_status | grep -A4 'Running Nodes'
cp=$(ls ~/.m2/repository/com/rabbitmq/amqp-client/*/amqp-client-*.jar | tail -1):$(ls ~/.m2/repository/org/slf4j/slf4j-api/2.*/slf4j-api-2.*.jar | tail -1)
exec_java=("$JAVA_HOME/bin/java" -cp "$cp" scripts/QuorumClusterKill.java "$messages" "${ports[0]}" "${ports[1]}" "$W/n1/pid" "$tag-n0@localhost" "$W/home" "$B")
"${exec_java[@]}" 2>&1 | grep -v '^SLF4J'
exit "${PIPESTATUS[0]}"
