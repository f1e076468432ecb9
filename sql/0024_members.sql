-- Members and roles per account. An account's user has an account role: 'admin' (everything,
-- keys, settings and members included) or 'agent' (the inbox, contacts and appointments). The
-- platform admin keeps users.role = 'admin' with no account and no account role. Every existing
-- member becomes an admin of their account. A user may have a name (set when accepting an
-- invitation; the team page shows it beside the e-mail).
ALTER TABLE users ADD COLUMN name text NOT NULL DEFAULT '' CHECK (length(name) <= 100);
ALTER TABLE users ADD COLUMN account_role text CHECK (account_role IN ('admin', 'agent'));
UPDATE users SET account_role = 'admin' WHERE account_id IS NOT NULL;
ALTER TABLE users ADD CONSTRAINT users_account_role_matches_account
    CHECK ((account_id IS NULL) = (account_role IS NULL));

-- An invitation to join an account: its link carries a token of which only the hash is kept;
-- it is used once (accepted_at) and expires (7 days after it was made).
CREATE TABLE invitations (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id   uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    email        text NOT NULL,
    role         text NOT NULL CHECK (role IN ('admin', 'agent')),
    token_hash   text NOT NULL UNIQUE,
    invited_by   uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    accepted_at  timestamptz
);
CREATE INDEX invitations_account_idx ON invitations (account_id, created_at);
-- One open invitation per address and account: inviting again replaces it.
CREATE UNIQUE INDEX invitations_pending_key ON invitations (account_id, lower(email))
    WHERE accepted_at IS NULL;

GRANT SELECT, INSERT, UPDATE, DELETE ON invitations TO zapfleet_app, zapfleet_platform;
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invitations
    USING (account_id = zapfleet_current_account())
    WITH CHECK (account_id = zapfleet_current_account());
CREATE POLICY platform_access ON invitations TO zapfleet_platform USING (true) WITH CHECK (true);
