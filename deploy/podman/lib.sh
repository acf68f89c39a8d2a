# Shared by scripts/images.sh, deploy/podman/stack.sh and deploy/podman/smoke.sh (sourced).
# Podman on this kind of machine: crun fails on the kernel's cgroup layout and the default ulimits
# cannot be set, so every build and run passes runc and explicit ulimits, and containers.conf says the
# same for what no flag reaches (a pod's infra container).
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/deploy/podman/containers.conf}
PODMAN_FLAGS=(--runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
STANDIN_DEBIAN=localhost/openparking-standin/debian:trixie
STANDIN_BUILD=localhost/openparking-standin/build:trixie
# The image tag: the project version (the tag a rollback names) unless IMAGE_TAG is set.
IMAGE_TAG=${IMAGE_TAG:-$(sed -n '0,/<version>/s/.*<version>\(.*\)<\/version>.*/\1/p' pom.xml)}
have_podman() { command -v podman >/dev/null 2>&1 && command -v runc >/dev/null 2>&1; }
