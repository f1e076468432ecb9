-- Workers, the outbox and tenant webhooks.
-- instances: desired state (what should run) beside observed status (what runs);
-- one instance per account (create-or-reconnect never makes a second one).

ALTER TABLE instances
    ADD COLUMN desired_state text NOT NULL DEFAULT 'stopped'
        CHECK (desired_state IN ('running', 'stopped')),
    ADD CONSTRAINT instances_status_check CHECK (status IN (
        'stopped', 'starting', 'connecting', 'waiting_qr', 'connected', 'disconnected',
        'logged_out', 'error')),
    ADD CONSTRAINT instances_one_per_account UNIQUE (account_id);

-- The outbox: a queued outbound message is leased by whoever hands it to a worker.
ALTER TABLE messages
    ADD COLUMN attempts     integer NOT NULL DEFAULT 0,
    ADD COLUMN lease_until  timestamptz,
    ADD COLUMN deadline_at  timestamptz,
    ADD COLUMN sent_at      timestamptz;
CREATE INDEX messages_outbox_idx ON messages (created_at) WHERE status = 'queued' AND direction = 'out';
CREATE UNIQUE INDEX messages_provider_id_idx ON messages (account_id, direction, provider_message_id)
    WHERE provider_message_id IS NOT NULL;

CREATE TABLE webhooks (
    account_id  uuid PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    url         text NOT NULL CHECK (url ~ '^https?://'),
    secret      text NOT NULL,
    events      text[] NOT NULL,
    enabled     boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id        uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    event             text NOT NULL,
    payload           jsonb NOT NULL,
    status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts          integer NOT NULL DEFAULT 0,
    next_attempt_at   timestamptz NOT NULL DEFAULT now(),
    lease_until       timestamptz,
    last_status_code  integer,
    last_error        text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    delivered_at      timestamptz
);
CREATE INDEX webhook_deliveries_account_idx ON webhook_deliveries (account_id, created_at DESC);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

GRANT SELECT, INSERT, UPDATE, DELETE ON webhooks, webhook_deliveries TO zapfleet_app;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['webhooks', 'webhook_deliveries']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I '
                       'USING (account_id = zapfleet_current_account()) '
                       'WITH CHECK (account_id = zapfleet_current_account())', t);
    END LOOP;
END
$$;
