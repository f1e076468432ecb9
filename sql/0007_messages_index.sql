-- messages(account_id) is covered by messages(account_id, created_at) from 0005, which serves
-- every lookup by account alone as well; the narrower index only cost every insert of a message.
DROP INDEX IF EXISTS messages_account_id_idx;
