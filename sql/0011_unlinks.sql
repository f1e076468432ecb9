-- Unlinks that did not happen when an instance was deleted or switched engines (its worker or
-- its Evolution server could not be reached): kept here, with the session they need, and
-- retried by the dispatcher until WhatsApp confirms it. A platform table: the admin reads it
-- through the API; no tenant role may touch it.
CREATE TABLE unlinks (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id          uuid NOT NULL,  -- no foreign key: the account may be gone
    instance_id         uuid NOT NULL,
    instance_name       text NOT NULL,
    engine              text NOT NULL,
    evolution_server_id uuid REFERENCES evolution_servers (id) ON DELETE SET NULL,
    phone               text,
    reason              text NOT NULL CHECK (reason IN ('deleted', 'engine_switched')),
    attempts            integer NOT NULL DEFAULT 0,
    last_error          text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    next_attempt_at     timestamptz NOT NULL DEFAULT now(),
    done_at             timestamptz
);
CREATE INDEX unlinks_due ON unlinks (next_attempt_at) WHERE done_at IS NULL;

ALTER TABLE unlinks ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON unlinks FROM PUBLIC, zapfleet_app;

DO $$
DECLARE
    api_role text;
BEGIN
    FOREACH api_role IN ARRAY ARRAY['anon', 'authenticated'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = api_role) THEN
            EXECUTE format('REVOKE ALL ON unlinks FROM %I', api_role);
        END IF;
    END LOOP;
END
$$;
