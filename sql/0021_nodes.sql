-- A fleet of worker machines (nodes). Each node runs its own supervisord and a node agent
-- (`python -m zapfleet node`) that registers it here, beats its heart, and runs the workers of
-- the instances placed on it. Placement follows seed 001: active, has room, highest priority,
-- least used. Platform tables: no tenant role may touch them.
CREATE TABLE nodes (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name          text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_.-]{0,62}$'),
    address       text NOT NULL,          -- where the web app and the dispatcher reach its workers
    port_base     integer NOT NULL CHECK (port_base BETWEEN 1 AND 65535),
    port_count    integer NOT NULL DEFAULT 1000 CHECK (port_count BETWEEN 1 AND 65535),
    capacity      integer NOT NULL DEFAULT 20 CHECK (capacity BETWEEN 0 AND 10000),
    priority      integer NOT NULL DEFAULT 0 CHECK (priority BETWEEN -1000 AND 1000),
    active        boolean NOT NULL DEFAULT true,
    drain         boolean NOT NULL DEFAULT false,
    agent_pid     integer,
    started_at    timestamptz,
    heartbeat_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);
SELECT zapfleet_platform_table('nodes');

-- Where each instance runs: its node (NULL before the first placement, or on a single machine
-- with no node agent) and whether the platform admin pinned it there. A port is unique per node.
ALTER TABLE instances
    ADD COLUMN node_id uuid REFERENCES nodes (id) ON DELETE SET NULL,
    ADD COLUMN pinned boolean NOT NULL DEFAULT false,
    -- a move asked of a live node (a pin elsewhere): its agent stops the worker, then hands over
    ADD COLUMN moving_to uuid REFERENCES nodes (id) ON DELETE SET NULL;
ALTER TABLE instances DROP CONSTRAINT instances_port_key;
CREATE UNIQUE INDEX instances_node_port ON instances
    (coalesce(node_id, '00000000-0000-0000-0000-000000000000'::uuid), port);
CREATE INDEX instances_node ON instances (node_id);

-- What happened to an instance's placement: placed, moved (failover, drain, pin), with why.
CREATE TABLE instance_history (
    id           bigserial PRIMARY KEY,
    instance_id  uuid NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    account_id   uuid NOT NULL,
    event        text NOT NULL CHECK (event IN ('placed', 'moved', 'unplaced')),
    from_node    text,
    to_node      text,
    reason       text NOT NULL,
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX instance_history_instance ON instance_history (instance_id, at DESC);
SELECT zapfleet_platform_table('instance_history');

-- A worker's durable session kept off the node's disk, so that it can come back on another
-- node: its record of sends, its unacknowledged events, the sandbox's identity and phone.
-- Lines of named files, appended and rewritten. No foreign key: a worker may run before (or
-- after) its row; the control plane deletes an instance's files with it.
CREATE TABLE worker_files (
    instance_id  uuid NOT NULL,
    name         text NOT NULL,
    seq          bigserial,
    line         text NOT NULL,
    PRIMARY KEY (instance_id, name, seq)
);
SELECT zapfleet_platform_table('worker_files');
GRANT USAGE, SELECT ON SEQUENCE worker_files_seq_seq, instance_history_id_seq TO zapfleet_platform;

-- neonize keeps each instance's whatsmeow store in a schema of its own (wa_<instance id hex>),
-- made by the worker: the platform role may create schemas in this database.
DO $$
BEGIN
    EXECUTE format('GRANT CREATE ON DATABASE %I TO zapfleet_platform', current_database());
END
$$;
