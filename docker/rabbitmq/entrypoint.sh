#!/bin/sh
# The Erlang cookie comes from a secret file (never from the image): rabbitmqctl (and the Ansible role
# through it) authenticates with it.
set -eu
cookie=${RABBITMQ_COOKIE_FILE:-/run/secrets/erlang-cookie}
[ -s "$cookie" ] || { echo "rabbitmq: no Erlang cookie in $cookie" >&2; exit 2; }
umask 077
rm -f /var/lib/rabbitmq/.erlang.cookie
cp "$cookie" /var/lib/rabbitmq/.erlang.cookie
chown rabbitmq:rabbitmq /var/lib/rabbitmq/.erlang.cookie
chmod 0400 /var/lib/rabbitmq/.erlang.cookie
chown -R rabbitmq:rabbitmq /var/lib/rabbitmq
exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups env HOME=/var/lib/rabbitmq rabbitmq-server
