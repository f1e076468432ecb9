-- Sends that do not wait ("wait": false, for callers that send in bulk): the route stores the
-- request here with one INSERT and answers 202; the dispatcher files it as a message (contact,
-- conversation, outbox row with this same id) and deletes it here in one transaction, so a request
-- is never lost nor filed twice. An idempotency key is unique per account here as in messages.
CREATE TABLE send_intake (
    id              uuid PRIMARY KEY,
    account_id      uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    phone           text NOT NULL,
    body            text NOT NULL,
    idempotency_key text,
    deadline_at     timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (account_id, idempotency_key)
);
CREATE INDEX send_intake_created_idx ON send_intake (created_at);

GRANT SELECT, INSERT, UPDATE, DELETE ON send_intake TO zapfleet_app, zapfleet_platform;
ALTER TABLE send_intake ENABLE ROW LEVEL SECURITY;
ALTER TABLE send_intake FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON send_intake
    USING (account_id = zapfleet_current_account())
    WITH CHECK (account_id = zapfleet_current_account());
CREATE POLICY platform_access ON send_intake TO zapfleet_platform USING (true) WITH CHECK (true);
