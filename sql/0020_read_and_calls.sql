-- When zapfleet told WhatsApp that a received message was read (someone opened its conversation
-- in the inbox): each message is reported once.
ALTER TABLE messages ADD COLUMN read_at timestamptz;
UPDATE messages SET read_at = created_at WHERE direction = 'in';
