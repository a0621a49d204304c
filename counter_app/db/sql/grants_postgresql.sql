-- counter_app: what the workstations' database role may do (docs/shared-database.md).
--
-- Applied by `counter-app db grant ROLE`, connected as the owner role that ran
-- `counter-app init-db`; run it again after every `init-db` that upgrades the schema,
-- so new tables get their grants. {role} is replaced by the role, quoted as an
-- identifier. To apply it by hand in psql, replace {role} yourself.
--
-- The role gets: business tables read and write; the audit log read and append only
-- (no UPDATE, DELETE or TRUNCATE, so a workstation cannot rewrite history); the schema
-- version read only (upgrades are the owner's job); the id sequences for inserting
-- (and reading, so that `counter-app backup` can run as this role).

-- start from nothing, so running this again never leaves an old privilege behind
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role};
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role};

GRANT CONNECT ON DATABASE {database} TO {role};
GRANT USAGE ON SCHEMA public TO {role};

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};

-- the audit log: read and append only
REVOKE UPDATE, DELETE, TRUNCATE ON TABLE audit_log FROM {role};

-- the schema version: read only
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON TABLE alembic_version FROM {role};

-- appending to the audit chain goes through this function (it runs with the caller's
-- rights: the role's INSERT on audit_log, nothing more)
GRANT EXECUTE ON FUNCTION counter_app_audit_append(timestamp without time zone[], text[], text[], text[], text[], text[], text[], text[]) TO {role};
