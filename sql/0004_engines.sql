-- Real WhatsApp engines (neonize, Evolution API): a temporary ban is a state of its own, with
-- the time it ends.

ALTER TABLE instances
    DROP CONSTRAINT instances_status_check,
    ADD CONSTRAINT instances_status_check CHECK (status IN (
        'stopped', 'starting', 'connecting', 'waiting_qr', 'connected', 'disconnected',
        'logged_out', 'banned', 'error')),
    ADD COLUMN banned_until timestamptz;
