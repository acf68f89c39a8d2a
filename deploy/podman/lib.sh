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
# A P-256 token signing key as a JWK, written (mode 0600) to FILE. A JWK, not PEM: cloud-sync's JWK reader needs
# nothing beyond the JDK (stack.sh, kube-smoke.sh).
signing_jwk() {
  (umask 077; openssl ecparam -name prime256v1 -genkey -noout | openssl ec -text -noout 2>/dev/null | python3 -c '
import base64, json, re, sys
text = sys.stdin.read()
hexof = lambda label: bytes.fromhex("".join(re.search(label + r":\s*((?:[0-9a-f]{2}:?\s*)+)", text).group(1).split()).replace(":", ""))
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
d, pub = hexof("priv"), hexof("pub")
d = d[-32:].rjust(32, b"\0")
print(json.dumps({"kty": "EC", "crv": "P-256", "d": b64(d), "x": b64(pub[1:33]), "y": b64(pub[33:65])}))
' >"$1")
}
