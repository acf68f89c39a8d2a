#!/usr/bin/python3
"""Apply scripts/postgresql-roles.sql to one service database, with its own role names and passwords.

stdin (JSON): {"psql": ["psql", "-h", HOST, "-p", PORT, "-U", ADMIN], "database": NAME,
  "owner": ROLE, "app": ROLE, "owner_password": "...", "app_password": "...", "script": SQL}
The admin's password, if any, comes in the environment (PGPASSWORD). The script is the repository's, with
parking_owner / parking_app replaced by the given names (the role does that). The database is created, owned by
the owner role, when missing. Passwords are sent as SCRAM-SHA-256 verifiers computed here, never in plain text,
and only when the stored one does not match, so a rerun changes nothing.
stdout (JSON): {"changed": [what changed]}
"""
import base64
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys

NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def psql(base, database, sql):
    out = subprocess.run(base + ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", database],
                         input=sql, check=True, capture_output=True, text=True)
    return out.stdout.strip()


def scram(password, salt=None, iterations=4096):
    salt = salt if salt is not None else os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client = hmac.new(salted, b"Client Key", "sha256").digest()
    stored = hashlib.sha256(client).digest()
    server = hmac.new(salted, b"Server Key", "sha256").digest()
    b64 = lambda b: base64.b64encode(b).decode()
    return "SCRAM-SHA-256$%d:%s$%s:%s" % (iterations, b64(salt), b64(stored), b64(server))


def matches(verifier, password):
    m = re.match(r"^SCRAM-SHA-256\$(\d+):([^$]+)\$", verifier or "")
    return bool(m) and scram(password, base64.b64decode(m.group(2)), int(m.group(1))) == verifier


def main():
    spec = json.load(sys.stdin)
    base, db, owner, app = spec["psql"], spec["database"], spec["owner"], spec["app"]
    for n in (db, owner, app):
        if not NAME.match(n):
            sys.exit("%r is not a plain PostgreSQL name (lower-case letters, digits, _)" % n)
    for k in ("owner_password", "app_password"):
        if not spec.get(k):
            sys.exit("%s of database %s is empty: set it in the vault" % (k, db))
    changed = []
    state = psql(base, "postgres", """
        SELECT (SELECT count(*) FROM pg_roles WHERE rolname IN ('%(o)s', '%(a)s'))
               || ',' || (SELECT count(*) FROM pg_database WHERE datname = '%(d)s')""" % {"o": owner, "a": app, "d": db})
    roles, databases = (int(x) for x in state.split(","))
    if roles < 2:
        # Created before the database, which the owner role owns.
        psql(base, "postgres", spec["script"].split("REVOKE ALL ON SCHEMA")[0])
        changed.append("roles")
    if databases == 0:
        psql(base, "postgres", 'CREATE DATABASE "%s" OWNER "%s"' % (db, owner))
        changed.append("database " + db)
    ok = psql(base, db, """
        SELECT (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public') = '%(o)s'
           AND has_schema_privilege('%(a)s', 'public', 'USAGE')
           AND EXISTS (SELECT 1 FROM pg_default_acl d WHERE d.defaclrole = '%(o)s'::regrole AND d.defaclobjtype = 'r'
                       AND array_to_string(d.defaclacl, ',') LIKE '%%%(a)s=arwd/%%')
           AND EXISTS (SELECT 1 FROM pg_default_acl d WHERE d.defaclrole = '%(o)s'::regrole AND d.defaclobjtype = 'S')
        """ % {"o": owner, "a": app})
    if ok != "t":
        psql(base, db, spec["script"])
        changed.append("grants on " + db)
    for role, key in ((owner, "owner_password"), (app, "app_password")):
        stored = psql(base, "postgres", "SELECT coalesce(rolpassword, '') FROM pg_authid WHERE rolname = '%s'" % role)
        if not matches(stored, spec[key]):
            psql(base, "postgres", "ALTER ROLE \"%s\" PASSWORD '%s'" % (role, scram(spec[key])))
            changed.append("password of " + role)
    json.dump({"changed": changed}, sys.stdout)


if __name__ == "__main__":
    main()
