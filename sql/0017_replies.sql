-- A received message that quotes another one (a reply in WhatsApp) names it.
ALTER TABLE messages ADD COLUMN reply_to uuid REFERENCES messages (id) ON DELETE SET NULL;
