-- Least-privilege PostgreSQL roles for one service database (cloud-sync's, tested by LeastPrivilegeRoleTest; the same
-- shape suits the payment worker's).
-- Run once as a superuser, connected to that database:   psql -d parking -f scripts/postgresql-roles.sql
-- then give both roles a password (ALTER ROLE parking_owner PASSWORD '...'; from your secret store).
--   parking_owner  owns the schema and every table: run the migrations with it (a DB_URL naming it, once per
--                  release, e.g. by starting the service with it before switching the URL back).
--   parking_app    what the service connects as day to day (DB_URL): reads and writes rows, nothing else.
--                  It owns nothing, so it cannot ALTER TABLE ... DISABLE TRIGGER, drop the audit triggers or
--                  set session_replication_role (superuser only): the audit log stays append-only.
-- docs/security.md names the test that runs this file and tries each of these as parking_app.
-- Safe to run again: the roles are created only when missing, and every other statement sets a state.
-- The Ansible cloud role applies it (roles/cloud/files/db_roles.py, its own role names substituted).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'parking_owner') THEN
        CREATE ROLE parking_owner LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'parking_app') THEN
        CREATE ROLE parking_app LOGIN;
    END IF;
END
$$;

REVOKE ALL ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO parking_owner;
GRANT USAGE ON SCHEMA public TO parking_app;

-- Whatever the owner's migrations create from now on is usable, row by row, by the application role.
ALTER DEFAULT PRIVILEGES FOR ROLE parking_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO parking_app;
ALTER DEFAULT PRIVILEGES FOR ROLE parking_owner IN SCHEMA public
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO parking_app;
