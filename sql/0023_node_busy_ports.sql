-- Ports in a node's range that something else on that machine listens on (PostgreSQL's 5432
-- sits inside the default 5001-6000): its agent finds them when it starts, and placement skips
-- them.
ALTER TABLE nodes ADD COLUMN busy_ports integer[] NOT NULL DEFAULT '{}';
