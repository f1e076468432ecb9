-- Media: photos, voice notes, videos, documents and stickers, sent or received. The bytes live in
-- the media storage (var/media/ or S3-compatible); this row is what the account may reach.
CREATE TABLE media (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('image', 'audio', 'video', 'document', 'sticker')),
    mime_type   text NOT NULL,
    size        bigint NOT NULL CHECK (size >= 0),
    filename    text,
    sha256      text NOT NULL,
    storage_key text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX media_account_idx ON media (account_id);
GRANT SELECT, INSERT, UPDATE, DELETE ON media TO zapfleet_app;
ALTER TABLE media ENABLE ROW LEVEL SECURITY;
ALTER TABLE media FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON media
    USING (account_id = zapfleet_current_account())
    WITH CHECK (account_id = zapfleet_current_account());
CREATE POLICY platform_access ON media TO zapfleet_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON media TO zapfleet_platform;

-- A message's kind, its media as it was when stored (the row above; {"available": false} when a
-- received file could not be downloaded) and, for a location or a contact card, what it holds.
ALTER TABLE messages
    ADD COLUMN type text NOT NULL DEFAULT 'text'
        CHECK (type IN ('text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contact')),
    ADD COLUMN media jsonb,
    ADD COLUMN attachment jsonb;
