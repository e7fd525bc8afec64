-- OptOut consent registry on PostgreSQL: the three roles an organisation needs (docs/registry.md, Roles).
--
--   optout_owner   creates and upgrades the registry (schema optout): the first command that writes
--                  (Add-OptOut, Import-OptOutList, Copy-OptOutRegistry) run by a member of this role
--                  creates it; later OptOut versions migrate it the same way.
--   optout_writer  adds claims and revokes them (INSERT only: nothing can be updated or deleted).
--   optout_reader  reads: Get-OptOut, Get-OptOutHistory, Export-OptOutList, Test-TrainingSet in CI.
--
-- Run it with psql as a superuser or the database's owner, in the registry's database, AFTER the
-- registry exists (its tables must be there to be granted), and again after each OptOut upgrade
-- (it is idempotent):
--     psql "host=db.example dbname=consent user=postgres" -f registry-roles.sql
-- Then give people and CI runners a login role that is a member of one of them:
--     CREATE ROLE ci_gate LOGIN PASSWORD '...' IN ROLE optout_reader;
--     CREATE ROLE alice LOGIN PASSWORD '...' IN ROLE optout_writer;
--
-- The append-only rule does not rest on these grants alone: triggers refuse UPDATE, DELETE and
-- TRUNCATE on claims, revocations and audit for every role. Only the tables' owner (or a
-- superuser) could drop the triggers; keep that role for migrations.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'optout_owner') THEN CREATE ROLE optout_owner NOLOGIN; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'optout_writer') THEN CREATE ROLE optout_writer NOLOGIN; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'optout_reader') THEN CREATE ROLE optout_reader NOLOGIN; END IF;
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO optout_reader, optout_writer', current_database());
    EXECUTE format('GRANT CONNECT, CREATE, TEMPORARY ON DATABASE %I TO optout_owner', current_database());
END $$;

GRANT USAGE ON SCHEMA optout TO optout_reader, optout_writer;
GRANT USAGE, CREATE ON SCHEMA optout TO optout_owner;
GRANT SELECT ON ALL TABLES IN SCHEMA optout TO optout_reader, optout_writer;
-- Writers: INSERT only (a bulk add also stages rows in a temporary table: TEMPORARY above).
GRANT INSERT ON optout.claims, optout.revocations, optout.audit TO optout_writer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA optout TO optout_writer;
