#!/usr/bin/python3
r"""Create or update the fleet's broker users in one definitions import.

rabbitmqctl starts an Erlang VM per call, and the per-user module needs about eight calls per
user: for hundreds of edges that takes hours. This script makes two calls whatever the fleet
size: export the current definitions, then import only the users that differ.

stdin (JSON): {"rabbitmqctl": ["rabbitmqctl", "-n", "rabbit@host"],
  "definitions": {"users": [{"name", "password", "tags"}], "permissions": [...], "topic_permissions": [...]}}
The definitions are templates/definitions.json.j2 rendered: the permission model lives there, not here.
Passwords arrive in plain text and are stored as salted SHA-256 hashes; a user whose password,
tags, permissions and topic permissions already match is left alone.
The import reads a file, not standard input: RabbitMQ 4.0.5's CLI (Debian trixie) never returns from
`import_definitions` on stdin. The file is private (0600, in a 0700 directory), owned by the rabbitmq
user when the CLI runs as it, and removed afterwards whatever happens.
stdout (JSON): {"changed": [names of users created or updated]}
"""
import base64
import hashlib
import json
import os
import pwd
import subprocess
import sys
import tempfile

ALGORITHM = "rabbit_password_hashing_sha256"


def password_hash(password, salt=None):
    salt = salt if salt is not None else os.urandom(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def password_matches(user, password):
    if user.get("hashing_algorithm") != ALGORITHM or not user.get("password_hash"):
        return False
    raw = base64.b64decode(user["password_hash"])
    return password_hash(password, raw[:4]) == user["password_hash"]


def import_file(ctl, definitions):
    """rabbitmqctl import_definitions FILE, the file private and removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="parking-users-") as tmp:
        path = os.path.join(tmp, "definitions.json")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(definitions, f)
        if os.geteuid() == 0:
            # Debian's rabbitmqctl re-runs itself as the rabbitmq user: that user must read the file.
            try:
                rabbit = pwd.getpwnam("rabbitmq")
                os.chown(tmp, rabbit.pw_uid, rabbit.pw_gid)
                os.chown(path, rabbit.pw_uid, rabbit.pw_gid)
            except KeyError:
                pass
        subprocess.run(ctl + ["-q", "import_definitions", path, "--format", "json"],
                       check=True, capture_output=True, text=True, stdin=subprocess.DEVNULL)


def main():
    spec = json.load(sys.stdin)
    ctl, wanted = spec["rabbitmqctl"], spec["definitions"]
    # The export through a pipe: it works on every version, and the definitions hold password hashes.
    exported = subprocess.run(ctl + ["-q", "export_definitions", "-", "--format", "json"],
                              check=True, capture_output=True, text=True)
    current = json.loads(exported.stdout)
    users = {u["name"]: u for u in current.get("users", [])}
    perms = {(p["user"], p["vhost"]): p for p in current.get("permissions", [])}
    topics = {}
    for t in current.get("topic_permissions", []):
        topics.setdefault((t["user"], t["vhost"]), {})[t["exchange"]] = (t["write"], t["read"])
    want_perms = {}
    for p in wanted.get("permissions", []):
        want_perms.setdefault(p["user"], []).append(p)
    want_topics = {}
    for t in wanted.get("topic_permissions", []):
        want_topics.setdefault(t["user"], []).append(t)

    out = {"users": [], "permissions": [], "topic_permissions": []}
    changed = []
    for u in wanted["users"]:
        name = u["name"]
        if not u.get("password"):
            sys.exit("user %s has no password: set it in the vault" % name)
        have = users.get(name)
        keep_hash = have is not None and password_matches(have, u["password"])
        same = keep_hash and sorted(have.get("tags") or []) == sorted(u.get("tags") or [])
        for p in want_perms.get(name, []):
            h = perms.get((name, p["vhost"]))
            same = same and h is not None and (h["configure"], h["write"], h["read"]) == (
                p["configure"], p["write"], p["read"])
        for t in want_topics.get(name, []):
            same = same and topics.get((name, t["vhost"]), {}).get(t["exchange"]) == (t["write"], t["read"])
        if same:
            continue
        changed.append(name)
        out["users"].append({"name": name, "tags": u.get("tags") or [], "limits": {}, "hashing_algorithm": ALGORITHM,
                             "password_hash": have["password_hash"] if keep_hash else password_hash(u["password"])})
        out["permissions"].extend(want_perms.get(name, []))
        out["topic_permissions"].extend(want_topics.get(name, []))
    if changed:
        import_file(ctl, out)
    json.dump({"changed": changed}, sys.stdout)


if __name__ == "__main__":
    main()
