#!/bin/sh
# RabbitMQ 4.0.5's CLI (Debian trixie's package) never returns from `import_definitions` reading standard
# input, while a file works; the rabbitmq role's edge_users.py pipes its definitions in. So an import
# without a file gets its input as a temporary file; every other call goes straight to rabbitmqctl.
set -eu
seen=0; file=; prev=
for a in "$@"; do
    if [ "$seen" = 1 ]; then
        case "$a" in -*) ;; *) case "$prev" in --format|-n|--node|-t|--timeout) ;; *) file=$a ;; esac ;; esac
    fi
    [ "$a" = import_definitions ] && seen=1
    prev=$a
done
[ "$seen" = 1 ] && [ -z "$file" ] || exec /usr/sbin/rabbitmqctl "$@"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
cat >"$tmp"
chown rabbitmq "$tmp"
/usr/sbin/rabbitmqctl "$@" "$tmp"
