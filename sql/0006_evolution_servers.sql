-- Evolution API servers: several servers of about 20 WhatsApp numbers each, and the
-- server each evolution instance lives on. Platform-level, not tenant data: the servers belong
-- to the platform admin, so the table has no account_id and no tenant_isolation policy, and the
-- application role gets no grant on it (only the owner role reads it, for platform-level work).

CREATE TABLE evolution_servers (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    url                text NOT NULL CHECK (url ~ '^https?://'),
    -- The global API key must be sent to the server, so it cannot be hashed: it is stored as a
    -- Fernet token under a key derived from SECRET_KEY, and never leaves the control plane but
    -- in the environment of that server's workers.
    api_key_encrypted  text NOT NULL,
    webhook_base       text CHECK (webhook_base ~ '^https?://'),
    capacity           integer NOT NULL DEFAULT 20 CHECK (capacity >= 1),
    priority           integer NOT NULL DEFAULT 0,
    active             boolean NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX evolution_servers_name_key ON evolution_servers (lower(name));
CREATE UNIQUE INDEX evolution_servers_url_key ON evolution_servers (lower(url));
-- Row-level security on, with no policy: every role but the owner sees no row (on Supabase, the
-- Data API's anon and authenticated roles cannot read the encrypted keys either).
ALTER TABLE evolution_servers ENABLE ROW LEVEL SECURITY;

-- The server an evolution instance was placed on (NULL: another engine, or the server set in
-- the environment, EVOLUTION_URL). ON DELETE RESTRICT: the phone is linked on that server and
-- its worker talks to it, so a server that still serves instances cannot be deleted (the API
-- answers 409 first; this backs it against a race). Deleting an account deletes its instance
-- (cascade from accounts), which frees the place on the server.
ALTER TABLE instances
    ADD COLUMN evolution_server_id uuid REFERENCES evolution_servers(id) ON DELETE RESTRICT;
CREATE INDEX instances_evolution_server_idx ON instances (evolution_server_id)
    WHERE evolution_server_id IS NOT NULL;
