-- The team inbox: each conversation's status (open, pending, resolved), the member it is
-- assigned to and its labels; private notes inside a conversation (never sent); the account's
-- saved quick replies. The list's last-message preview needs no column: it is read per listed
-- conversation through messages_conversation_idx (one index probe each).
ALTER TABLE conversations
    ADD COLUMN status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'resolved')),
    ADD COLUMN assignee_id uuid REFERENCES users(id) ON DELETE SET NULL,
    ADD COLUMN labels      text[] NOT NULL DEFAULT '{}';
CREATE INDEX conversations_assignee_idx ON conversations (assignee_id) WHERE assignee_id IS NOT NULL;
CREATE INDEX conversations_labels_idx ON conversations USING gin (labels);
-- The unread total in the menu: only conversations with something unread are read.
CREATE INDEX conversations_unread_idx ON conversations (account_id) INCLUDE (unread_count)
    WHERE unread_count > 0;

CREATE TABLE conversation_notes (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id       uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    conversation_id  uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    author_id        uuid REFERENCES users(id) ON DELETE SET NULL,
    body             text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX conversation_notes_conversation_idx ON conversation_notes (conversation_id, created_at);
CREATE INDEX conversation_notes_account_idx ON conversation_notes (account_id);

CREATE TABLE quick_replies (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    shortcut    text NOT NULL CHECK (shortcut ~ '^[a-z0-9_-]{1,30}$'),
    body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 4096),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, shortcut)
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['conversation_notes', 'quick_replies'] LOOP
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO zapfleet_app, zapfleet_platform', t);
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I '
                       'USING (account_id = zapfleet_current_account()) '
                       'WITH CHECK (account_id = zapfleet_current_account())', t);
        EXECUTE format('CREATE POLICY platform_access ON %I TO zapfleet_platform '
                       'USING (true) WITH CHECK (true)', t);
    END LOOP;
END
$$;
