-- zapfleet initial schema: accounts (tenants) and their data, with row-level security.
-- Every tenant table carries account_id, an index on it, and cascades on account delete.


CREATE TABLE accounts (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    phone       text UNIQUE,
    plan        text NOT NULL DEFAULT 'free' CHECK (plan IN ('owner', 'free', 'basic', 'pro')),
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'cancelled')),
    settings    jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id     uuid REFERENCES accounts(id) ON DELETE CASCADE,
    email          text NOT NULL,
    password_hash  text NOT NULL,
    role           text NOT NULL CHECK (role IN ('admin', 'member')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    -- a platform admin has no account; every member belongs to one
    CHECK ((role = 'admin') = (account_id IS NULL))
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_account_id_idx ON users (account_id);

CREATE TABLE api_keys (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id    uuid REFERENCES accounts(id) ON DELETE CASCADE,
    user_id       uuid REFERENCES users(id) ON DELETE CASCADE,
    prefix        text NOT NULL,
    key_hash      text NOT NULL UNIQUE,
    label         text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    CHECK (account_id IS NOT NULL OR user_id IS NOT NULL)
);
CREATE INDEX api_keys_account_id_idx ON api_keys (account_id);

CREATE TABLE instances (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id      uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    instance_name   text NOT NULL,
    port            integer UNIQUE CHECK (port BETWEEN 1 AND 65535),
    engine          text NOT NULL DEFAULT 'sandbox',
    status          text NOT NULL DEFAULT 'stopped',
    qr_code         text,
    phone           text,
    last_connected  timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, instance_name)
);
CREATE INDEX instances_account_id_idx ON instances (account_id);

CREATE TABLE contacts (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    phone       text NOT NULL,
    name        text NOT NULL DEFAULT '',
    tags        text[] NOT NULL DEFAULT '{}',
    opted_out   boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, phone)
);
CREATE INDEX contacts_account_id_idx ON contacts (account_id, created_at, id);
CREATE INDEX contacts_tags_idx ON contacts USING gin (tags);

CREATE TABLE conversations (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id       uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    contact_id       uuid NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    last_message_at  timestamptz,
    unread_count     integer NOT NULL DEFAULT 0 CHECK (unread_count >= 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, contact_id)
);
CREATE INDEX conversations_account_id_idx ON conversations (account_id, last_message_at DESC);

CREATE TABLE messages (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id           uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    conversation_id      uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    direction            text NOT NULL CHECK (direction IN ('in', 'out')),
    body                 text NOT NULL,
    status               text NOT NULL DEFAULT 'queued'
                         CHECK (status IN ('queued', 'sent', 'delivered', 'read', 'failed', 'received')),
    provider_message_id  text,
    idempotency_key      text,
    error                text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, idempotency_key)
);
CREATE INDEX messages_account_id_idx ON messages (account_id);
CREATE INDEX messages_conversation_idx ON messages (conversation_id, created_at, id);

CREATE TABLE campaigns (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id   uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name         text NOT NULL,
    message      text NOT NULL DEFAULT '',
    qr_code_url  text,
    link         text,
    target_tags  text[] NOT NULL DEFAULT '{}',
    status       text NOT NULL DEFAULT 'draft'
                 CHECK (status IN ('draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX campaigns_account_id_idx ON campaigns (account_id);

-- Row-level security ------------------------------------------------------------------
-- The application runs tenant queries under the non-owner role zapfleet_app (so the
-- policies apply to it; the owner is left for migrations and platform-level work), with
-- the account in the transaction-local setting app.account_id. On Supabase, a request that
-- carries a user's JWT resolves the account through auth.uid() instead.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'zapfleet_app') THEN
        CREATE ROLE zapfleet_app NOLOGIN;
    END IF;
END
$$;
GRANT zapfleet_app TO CURRENT_USER;

CREATE FUNCTION zapfleet_current_account() RETURNS uuid
LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('app.account_id', true), '')::uuid
$$;

DO $$
BEGIN
    IF to_regprocedure('auth.uid()') IS NOT NULL THEN
        EXECUTE $f$
            CREATE OR REPLACE FUNCTION zapfleet_current_account() RETURNS uuid
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $body$
                SELECT coalesce(
                    nullif(current_setting('app.account_id', true), '')::uuid,
                    (SELECT u.account_id FROM users u WHERE u.id = auth.uid()))
            $body$
        $f$;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO zapfleet_app;
GRANT EXECUTE ON FUNCTION zapfleet_current_account() TO zapfleet_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON
    accounts, users, api_keys, instances, contacts, conversations, messages, campaigns
    TO zapfleet_app;

ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON accounts
    USING (id = zapfleet_current_account())
    WITH CHECK (id = zapfleet_current_account());

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'api_keys', 'instances', 'contacts', 'conversations',
                             'messages', 'campaigns']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I '
                       'USING (account_id = zapfleet_current_account()) '
                       'WITH CHECK (account_id = zapfleet_current_account())', t);
    END LOOP;
END
$$;
