-- Least privilege at run time. Migrations run as the owner (DATABASE_URL); the web app and the
-- dispatcher connect as two login roles that are neither superuser nor BYPASSRLS:
--   zapfleet_tenant   - every tenant transaction (a member of zapfleet_app only): an injected
--                       RESET ROLE lands on a role that row-level security still binds;
--   zapfleet_platform - platform work across accounts (sign-in lookups, the dispatcher's
--                       leases, the admin's lists), through policies of its own.
-- FORCE ROW LEVEL SECURITY binds the tenant tables' owner to their policies too (superusers
-- and BYPASSRLS roles excepted). The login roles have no password here: on a server that asks
-- for one, `python -m zapfleet migrate` sets DATABASE_RUNTIME_PASSWORD on them.
DO $$
DECLARE
    login_role text;
BEGIN
    -- Roles belong to the whole server: another database of it may have made them already.
    FOREACH login_role IN ARRAY ARRAY['zapfleet_tenant', 'zapfleet_platform'] LOOP
        BEGIN
            EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE',
                           login_role);
        EXCEPTION WHEN duplicate_object THEN
            NULL;
        END;
    END LOOP;
END
$$;
GRANT zapfleet_app TO zapfleet_tenant;

GRANT USAGE ON SCHEMA public TO zapfleet_platform;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO zapfleet_platform;
REVOKE ALL ON schema_migrations FROM zapfleet_platform;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO zapfleet_platform;
GRANT EXECUTE ON FUNCTION zapfleet_current_account() TO zapfleet_platform;

DO $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'schema_migrations'
    LOOP
        EXECUTE format('CREATE POLICY platform_access ON %I TO zapfleet_platform '
                       'USING (true) WITH CHECK (true)', t);
    END LOOP;
    FOR t IN SELECT DISTINCT c.relname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
             WHERE p.polname = 'tenant_isolation'
    LOOP
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    END LOOP;
END
$$;

-- Later migrations close each platform table they make (no tenant's rows) with this: row-level
-- security with only the platform role's policy, no grant to tenant roles (nor, on Supabase, to
-- the Data API's anon and authenticated).
CREATE FUNCTION zapfleet_platform_table(t regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    api_role text;
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('REVOKE ALL ON %s FROM PUBLIC, zapfleet_app', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO zapfleet_platform', t);
    EXECUTE format('CREATE POLICY platform_access ON %s TO zapfleet_platform '
                   'USING (true) WITH CHECK (true)', t);
    FOREACH api_role IN ARRAY ARRAY['anon', 'authenticated'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = api_role) THEN
            EXECUTE format('REVOKE ALL ON %s FROM %I', t, api_role);
        END IF;
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION zapfleet_platform_table(regclass) FROM PUBLIC;
