-- Platform tables that hold no tenant's rows: only the owner role (migrations, the sign-in
-- guard in system transactions) may touch them. Row-level security with no policy hides every
-- row from any other role, and no grant is left to the tenant role or, on Supabase, to the Data
-- API's anon and authenticated roles.
ALTER TABLE login_failures ENABLE ROW LEVEL SECURITY;
ALTER TABLE schema_migrations ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON login_failures, schema_migrations FROM PUBLIC, zapfleet_app;
REVOKE ALL ON SEQUENCE login_failures_id_seq FROM PUBLIC, zapfleet_app;

DO $$
DECLARE
    api_role text;
BEGIN
    FOREACH api_role IN ARRAY ARRAY['anon', 'authenticated'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = api_role) THEN
            EXECUTE format('REVOKE ALL ON login_failures, schema_migrations FROM %I', api_role);
            EXECUTE format('REVOKE ALL ON SEQUENCE login_failures_id_seq FROM %I', api_role);
        END IF;
    END LOOP;
END
$$;
