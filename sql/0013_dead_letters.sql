-- Worker events that could not be applied (malformed, or failing for a reason a retry of the
-- batch would not cure): put aside here with the reason, so that the rest of their batch and
-- everything after them still apply. The platform admin lists them and retries one once the
-- cause is fixed. A platform table, like unlinks: no tenant role may read it.
CREATE TABLE dead_letters (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL,
    instance_id uuid NOT NULL,
    event_id    text,
    kind        text,
    event       text NOT NULL,  -- the event as JSON (ASCII: any code point stays escaped)
    error       text NOT NULL,
    retries     integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz
);
CREATE INDEX dead_letters_pending ON dead_letters (created_at) WHERE resolved_at IS NULL;
-- A batch sent again (after an outage) puts nothing aside twice.
CREATE UNIQUE INDEX dead_letters_once ON dead_letters (instance_id, event_id) WHERE event_id IS NOT NULL;

SELECT zapfleet_platform_table('dead_letters');
