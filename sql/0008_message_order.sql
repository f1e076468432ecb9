-- Messages stored in one transaction (a worker's batch of events, a campaign step)
-- shared now(), so their order fell to random ids. clock_timestamp() moves on
-- between inserts, so a conversation reads in the order its messages arrived.
ALTER TABLE messages ALTER COLUMN created_at SET DEFAULT clock_timestamp();
