#!/usr/bin/python3
r"""Create or update the user of every edge in one definitions import.

rabbitmqctl starts an Erlang VM per call, and the per-user module needs about eight calls per
user: for hundreds of edges that takes hours. This script makes two calls whatever the fleet
size: export the current definitions, then import only the users that differ.

stdin (JSON): {"rabbitmqctl": ["rabbitmqctl", "-n", "rabbit@host"], "vhost": "/parking",
  "may_declare": false, "edges": [{"lot", "level", "name", "password"}]}

Permissions of an edge {lot}.{level} (see docs/deployment.md for why):
  configure ^edge\.{lot}\.{level}$             its own queue only
  write     ^(parking\.events|parking\.payments|parking\.dlx)$   (parking.dlx: it dead-letters what it refuses)
  read      ^edge\.{lot}\.{level}$
  topic     parking.events write ^edge\.{lot}\.{level}\.   (its own routing keys), read ^$
With may_declare, also configure on the shared names it declares, write on the queues it binds
and read on the exchanges it binds from.
stdout (JSON): {"changed": [names of users created or updated]}
"""
import base64
import hashlib
import json
import os
import re
import subprocess
import sys

ALGORITHM = "rabbit_password_hashing_sha256"


def password_hash(password, salt=None):
    salt = salt if salt is not None else os.urandom(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def password_matches(user, password):
    if user.get("hashing_algorithm") != ALGORITHM or not user.get("password_hash"):
        return False
    raw = base64.b64decode(user["password_hash"])
    return password_hash(password, raw[:4]) == user["password_hash"]


def edge_user(edge, may_declare):
    queue = r"edge\.%s\.%s" % (re.escape(edge["lot"]), re.escape(edge["level"]))
    if may_declare:
        perms = (r"^(parking\.events|parking\.payments|payments\.requests|parking\.dlx|parking\.dead|parking\.edge|%s)$" % queue,
                 r"^(parking\.events|parking\.payments|payments\.requests|parking\.dlx|parking\.dead|%s)$" % queue,
                 r"^(parking\.payments|parking\.dlx|parking\.edge|%s)$" % queue)
    else:
        perms = ("^%s$" % queue, r"^(parking\.events|parking\.payments|parking\.dlx)$", "^%s$" % queue)
    return {"name": edge["name"], "password": edge["password"],
            "configure": perms[0], "write": perms[1], "read": perms[2],
            "topic": [{"exchange": "parking.events", "write": r"^%s\." % queue, "read": "^$"}]}


def main():
    spec = json.load(sys.stdin)
    ctl, vhost = spec["rabbitmqctl"], spec["vhost"]
    # Through pipes, not files: rabbitmqctl runs as the rabbitmq user, and the definitions
    # hold password hashes.
    exported = subprocess.run(ctl + ["-q", "export_definitions", "-", "--format", "json"],
                              check=True, capture_output=True, text=True)
    current = json.loads(exported.stdout)
    users = {u["name"]: u for u in current.get("users", [])}
    perms = {p["user"]: p for p in current.get("permissions", []) if p["vhost"] == vhost}
    topics = {}
    for t in current.get("topic_permissions", []):
        if t["vhost"] == vhost:
            topics.setdefault(t["user"], {})[t["exchange"]] = (t["write"], t["read"])

    out = {"users": [], "permissions": [], "topic_permissions": []}
    changed = []
    for u in (edge_user(e, spec.get("may_declare") in (True, "True", "true")) for e in spec["edges"]):
        name = u["name"]
        have = users.get(name)
        want_perm = (u["configure"], u["write"], u["read"])
        have_perm = perms.get(name)
        want_topics = {t["exchange"]: (t["write"], t["read"]) for t in u.get("topic", [])}
        same = (have is not None and password_matches(have, u["password"]) and not have.get("tags")
                and have_perm is not None
                and (have_perm["configure"], have_perm["write"], have_perm["read"]) == want_perm
                and {k: v for k, v in topics.get(name, {}).items() if k in want_topics} == want_topics)
        if same:
            continue
        changed.append(name)
        keep_hash = have is not None and password_matches(have, u["password"])
        out["users"].append({"name": name, "tags": [], "limits": {}, "hashing_algorithm": ALGORITHM,
                             "password_hash": have["password_hash"] if keep_hash else password_hash(u["password"])})
        out["permissions"].append({"user": name, "vhost": vhost, "configure": want_perm[0],
                                   "write": want_perm[1], "read": want_perm[2]})
        for exchange, (write, read) in want_topics.items():
            out["topic_permissions"].append({"user": name, "vhost": vhost, "exchange": exchange,
                                             "write": write, "read": read})
    if changed:
        subprocess.run(ctl + ["-q", "import_definitions", "--format", "json"],
                       input=json.dumps(out), check=True, capture_output=True, text=True)
    json.dump({"changed": changed}, sys.stdout)


if __name__ == "__main__":
    main()
