#!/usr/bin/env bash
# Makes sure the local services the tests use are installed and running on a Debian/Ubuntu machine:
# RabbitMQ (5672), Mosquitto (1883), PostgreSQL (5432, trust for 127.0.0.1), plus Chromium for the browser
# tests and Ansible for the rollout tests. Installs only what is missing; starts only what is down.
# Works without systemd (containers, CI sandboxes). Needs root (or sudo) only when something is missing.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && exec 3>&- ; }

wait_port() {
  local port=$1 name=$2
  for _ in $(seq 1 120); do
    if port_open "$port"; then return 0; fi
    sleep 0.5
  done
  echo "services: $name did not open port $port" >&2
  return 1
}

apt_updated=""
install_pkgs() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ -z "$apt_updated" ]; then
    echo "services: apt-get update"
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt_updated=1
  fi
  echo "services: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_pkgs rabbitmq-server mosquitto mosquitto-clients postgresql postgresql-client chromium ansible ansible-lint python3-pika \
  strace libxml2-utils
# The image build and smoke test (deploy/podman/smoke.sh): daemonless podman with runc, debootstrap for the
# stand-in base images, openssl for the stack's signing key.
install_pkgs podman runc debootstrap slirp4netns uidmap fuse-overlayfs catatonit openssl
# promtool (package prometheus) checks the metrics scrapes, alert rules and dashboard queries in the tests.
install_pkgs prometheus

# PostgreSQL
if ! port_open 5432; then
  echo "services: starting PostgreSQL"
  version=$(ls /etc/postgresql | sort -V | tail -1)
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start
  wait_port 5432 PostgreSQL
fi
if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
  # Tests connect as postgres over TCP without a password, as on the development machines.
  echo "services: allowing trust authentication for 127.0.0.1 (test machine only)"
  version=$(ls /etc/postgresql | sort -V | tail -1)
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  $SUDO sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main reload
  for _ in $(seq 1 20); do psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1 && break; sleep 0.5; done
fi
psql -h 127.0.0.1 -U postgres -d postgres -tAc "select 1 from pg_database where datname='test'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -d postgres -qc 'create database test'

# RabbitMQ
if ! port_open 5672; then
  echo "services: starting RabbitMQ"
  $SUDO rabbitmq-server -detached
  wait_port 5672 RabbitMQ
  $SUDO rabbitmqctl await_startup >/dev/null
fi

# Mosquitto
if ! port_open 1883; then
  echo "services: starting Mosquitto"
  $SUDO mosquitto -d -c /etc/mosquitto/mosquitto.conf
  wait_port 1883 Mosquitto
fi

echo "services: RabbitMQ :5672, Mosquitto :1883, PostgreSQL :5432 up; chromium $(command -v chromium >/dev/null && echo present || echo missing)"
