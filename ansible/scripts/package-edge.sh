#!/bin/sh
# Package a built edge controller as a release archive for the edge role:
#   scripts/package-edge.sh VERSION [TARGET_DIR] [OUT_DIR]
# TARGET_DIR defaults to edge-controller/target (must hold edge-controller.jar and libs/),
# OUT_DIR to ansible/dist.  Output: OUT_DIR/edge-controller-VERSION.tar.gz
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
version=${1:?usage: package-edge.sh VERSION [TARGET_DIR] [OUT_DIR]}
target=${2:-$here/../edge-controller/target}
out=${3:-$here/dist}
[ -f "$target/edge-controller.jar" ] || { echo "no $target/edge-controller.jar: build edge-controller first" >&2; exit 1; }
[ -d "$target/libs" ] || { echo "no $target/libs/: the jar's Class-Path needs it" >&2; exit 1; }
mkdir -p "$out"
tar -czf "$out/edge-controller-$version.tar.gz" -C "$target" edge-controller.jar libs $(cd "$target" && ls edge.jvmopts edge.aot 2>/dev/null)
echo "$out/edge-controller-$version.tar.gz"
