-- A tenant's send goes straight to its worker, so the send route (a tenant transaction) reads
-- where its instance's node is: the tenant roles may read a node's id, name and address (no
-- other column), and every row of them (node addresses are the platform's, not a tenant's).
GRANT SELECT (id, name, address) ON nodes TO zapfleet_app;
CREATE POLICY tenant_reads_addresses ON nodes FOR SELECT TO zapfleet_app USING (true);
