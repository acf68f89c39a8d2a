#!/bin/sh
# The cloud image's entrypoint (Dockerfile.cloud): chooses the service, cloud-sync (default) or
# payment-worker; further arguments go to it.
set -eu
service=${1:-cloud-sync}
[ $# -gt 0 ] && shift
case "$service" in
    cloud-sync|payment-worker) ;;
    *) echo "usage: run cloud-sync|payment-worker [args]" >&2; exit 2 ;;
esac
exec java ${JAVA_OPTS:-} -jar "/app/$service/$service.jar" "$@"
