-- What happens to a message after it arrives: reactions (the latest emoji of each sender),
-- edits (the earlier texts kept, oldest first) and "delete for everyone" (the text is wiped).
ALTER TABLE messages
    ADD COLUMN reactions       jsonb NOT NULL DEFAULT '{}'::jsonb,
    ADD COLUMN previous_bodies jsonb NOT NULL DEFAULT '[]'::jsonb,
    ADD COLUMN edited_at       timestamptz,
    ADD COLUMN deleted_at      timestamptz;
