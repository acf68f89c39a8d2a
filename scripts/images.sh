#!/usr/bin/env bash
# Builds the images with podman: openparking/edge, openparking/cloud and the brokers' and database's
# images (docker/rabbitmq, docker/postgres, docker/mosquitto), tagged IMAGE_TAG (default: the project
# version) and :latest-local.
#
#   scripts/images.sh                 packages the jars with Maven on the host (or reuses them) and copies
#                                     them into the images (JARS=prebuilt: no Maven inside the build)
#   scripts/images.sh --from-source   Maven runs inside the build stage, as `docker build` does by default
#
# No registry is reachable here, so the base images are stand-ins made once and kept in podman's local
# storage: Debian trixie from debootstrap (for debian:trixie-slim) and that plus OpenJDK 21 and Maven
# (for maven:3.9.11-eclipse-temurin-21). The Dockerfiles' defaults stay the upstream images
# (docs/deployment.md). STANDIN_REBUILD=1 makes them again. Needs root, podman, runc, debootstrap.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/podman/lib.sh

from_source=0
for arg in "$@"; do
  case "$arg" in
    --from-source) from_source=1 ;;
    *) echo "usage: scripts/images.sh [--from-source]" >&2; exit 2 ;;
  esac
done
have_podman || { echo "images: podman and runc are needed (apt-get install podman runc debootstrap)" >&2; exit 1; }

build() { podman build "${PODMAN_FLAGS[@]}" --format docker --layers "$@"; }

standin_debian() {
  if [ "${STANDIN_REBUILD:-0}" != 1 ] && podman image exists "$STANDIN_DEBIAN"; then return 0; fi
  command -v debootstrap >/dev/null || { echo "images: debootstrap is needed for the stand-in base" >&2; exit 1; }
  local root
  root=$(mktemp -d /tmp/openparking-trixie.XXXXXX)
  echo "images: debootstrap Debian trixie (minbase) into $root"
  debootstrap --variant=minbase trixie "$root" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$root.log" 2>&1 \
    || { tail -20 "$root.log" >&2; rm -rf "$root" "$root.log"; exit 1; }
  # As the slim image: no package cache, no docs.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*
  tar -C "$root" -c . | podman import --change 'CMD ["/bin/bash"]' - "$STANDIN_DEBIAN" >/dev/null
  rm -rf "$root" "$root.log"
}

standin_build() {
  if [ "${STANDIN_REBUILD:-0}" != 1 ] && podman image exists "$STANDIN_BUILD"; then return 0; fi
  echo "images: stand-in build image (OpenJDK 21 JDK + Maven from trixie)"
  build --network host --build-arg BASE="$STANDIN_DEBIAN" -t "$STANDIN_BUILD" -f docker/standin/Containerfile.build docker/standin
}

start=$SECONDS
standin_debian
standin_build
bases=(--build-arg BUILD_IMAGE="$STANDIN_BUILD" --build-arg RUNTIME_IMAGE="$STANDIN_DEBIAN")

if [ "$from_source" = 1 ]; then
  # The whole repository is the context (.dockerignore lets through poms and sources). Maven inside the
  # build needs the network for its dependencies: the host's, as there is no other here. Where the host
  # trusts extra CAs (/usr/local/share/ca-certificates: a TLS-inspecting egress proxy, as on the machine this
  # was written on), the stand-in build image gets them too, in a local layer of its own, or Maven inside
  # the build cannot reach Maven Central (PKIX path building failed). The Dockerfiles are not changed.
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    cactx=$(mktemp -d /tmp/openparking-ca.XXXXXX)
    cp /usr/local/share/ca-certificates/*.crt "$cactx/"
    printf '%s\n' "FROM $STANDIN_BUILD" "COPY *.crt /usr/local/share/ca-certificates/" "RUN update-ca-certificates >/dev/null" \
      >"$cactx/Containerfile"
    build -t "$STANDIN_BUILD-hostca" -f "$cactx/Containerfile" "$cactx" >/dev/null
    rm -rf "$cactx"
    bases=(--build-arg BUILD_IMAGE="$STANDIN_BUILD-hostca" --build-arg RUNTIME_IMAGE="$STANDIN_DEBIAN")
  fi
  ctx=.
  jars=(--build-arg JARS=source --network host)
else
  for m in edge-controller cloud-sync payment-worker; do
    if [ ! -f "$m/target/$m.jar" ] || [ ! -d "$m/target/libs" ] \
        || { [ "$m" = edge-controller ] && [ ! -f "$m/target/edge.jvmopts" ]; }; then
      echo "images: packaging the jars (mvnw package -DskipTests)"
      source scripts/java-home.sh
      ./mvnw -B -ntp -q -DskipTests -pl edge-controller,cloud-sync,payment-worker -am package
      break
    fi
  done
  # A context of just the packaged jars and docker/ (hard links: nothing is copied).
  ctx=$(mktemp -d /tmp/openparking-context.XXXXXX)
  trap 'rm -rf "$ctx"' EXIT
  cp -al docker "$ctx/docker"
  for m in edge-controller cloud-sync payment-worker; do
    mkdir -p "$ctx/$m/target"
    cp -al "$m/target/$m.jar" "$m/target/libs" "$ctx/$m/target/"
  done
  # The edge starts through its JVM options file (heap, metaspace and thread limits for a small box).
  cp -al edge-controller/target/edge.jvmopts "$ctx/edge-controller/target/"
  jars=(--build-arg JARS=prebuilt)
fi

for image in edge cloud; do
  echo "images: openparking/$image:$IMAGE_TAG"
  build "${bases[@]}" "${jars[@]}" -f "Dockerfile.$image" -t "openparking/$image:$IMAGE_TAG" -t "openparking/$image:latest-local" "$ctx"
done
for image in rabbitmq postgres mosquitto; do
  echo "images: openparking/$image:$IMAGE_TAG"
  build --network host --build-arg BASE="$STANDIN_DEBIAN" -t "openparking/$image:$IMAGE_TAG" \
    -t "openparking/$image:latest-local" "docker/$image"
done
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E '^(localhost/)?openparking' | grep -v latest-local | sort
echo "images: built in $((SECONDS - start)) s"
