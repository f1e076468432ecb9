-- Worker events that could not be applied (malformed, or failing for a reason a retry of the
-- batch would not cure): put aside here with the reason, so that the rest of their batch and
-- everything after them still apply. The platform admin lists them and retries one once the
-- cause is fixed. A platform table, like unlinks: no tenant role may read it.
CREATE TABLE dead_letters (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL,
    instance_id uuid NOT NULL,
    event_id    text,
    kind        text,
    event       text NOT NULL,  -- the event as JSON (ASCII: any code point stays escaped)
    error       text NOT NULL,
    retries     integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz
);
CREATE INDEX dead_letters_pending ON dead_letters (created_at) WHERE resolved_at IS NULL;

ALTER TABLE dead_letters ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON dead_letters FROM PUBLIC, zapfleet_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON dead_letters TO zapfleet_platform;
CREATE POLICY platform_access ON dead_letters TO zapfleet_platform USING (true) WITH CHECK (true);

DO $$
DECLARE
    api_role text;
BEGIN
    FOREACH api_role IN ARRAY ARRAY['anon', 'authenticated'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = api_role) THEN
            EXECUTE format('REVOKE ALL ON dead_letters FROM %I', api_role);
        END IF;
    END LOOP;
END
$$;
