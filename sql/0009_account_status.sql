-- When an account was cancelled: its data is kept CANCELLED_RETENTION_DAYS after that, then
-- deleted. A trigger keeps it true whichever statement changes the status.
ALTER TABLE accounts ADD COLUMN cancelled_at timestamptz;

CREATE FUNCTION accounts_stamp_cancellation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'cancelled' AND OLD.status IS DISTINCT FROM 'cancelled' THEN
        NEW.cancelled_at := now();
    ELSIF NEW.status <> 'cancelled' THEN
        NEW.cancelled_at := NULL;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER accounts_cancellation BEFORE UPDATE OF status ON accounts
    FOR EACH ROW EXECUTE FUNCTION accounts_stamp_cancellation();

CREATE INDEX accounts_cancelled_idx ON accounts (cancelled_at) WHERE status = 'cancelled';
