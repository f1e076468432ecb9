-- Messages the business types on its own phone are recorded as outbound with origin 'phone'
-- ('inbox' is kept for replies written in the inbox).
ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_origin_check;
ALTER TABLE messages ADD CONSTRAINT messages_origin_check
    CHECK (origin IN ('api', 'campaign', 'notice', 'bot', 'auto_reply', 'inbox', 'phone'));
