-- Real WhatsApp engines (neonize, Evolution API): a temporary ban is a state of its own, with
-- the time it ends; the engine of an instance is one the workers know.

ALTER TABLE instances
    DROP CONSTRAINT instances_status_check,
    ADD CONSTRAINT instances_status_check CHECK (status IN (
        'stopped', 'starting', 'connecting', 'waiting_qr', 'connected', 'disconnected',
        'logged_out', 'banned', 'error')),
    ADD CONSTRAINT instances_engine_check CHECK (engine IN ('sandbox', 'neonize', 'evolution')),
    ADD COLUMN banned_until timestamptz;
