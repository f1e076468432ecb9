"""Row-level security: the database itself keeps accounts apart."""
import uuid

import psycopg2.errors
import pytest

from zapfleet.db import nodes as nodes_sql

TENANT_TABLES = ("users", "api_keys", "contacts", "conversations", "messages", "campaigns",
                 "send_intake")


@pytest.fixture
def two_accounts(managers):
    """Two accounts, each with a user, a key, a contact, a conversation, a campaign and a send
    waiting in the intake."""
    ids = []
    for name in ("Alpha", "Beta"):
        account = managers.accounts.register_customer({"name": name, "email": f"{name}@example.com",
                                             "password": "long enough pw"})["account"]
        managers.conversations.record_message(account["id"], "5511999990000", "in", "oi", "received")
        managers.campaigns.create_campaign(account["id"], {"name": f"{name} promo"})
        managers.outbox.send(account["id"], {"phone": "5511999990001", "message": "oi", "wait": False})
        ids.append(account["id"])
    return ids


def _rows(conn, table):
    with conn.cursor() as cur:
        cur.execute(f"SELECT account_id FROM {table}")  # deliberately no WHERE clause
        return [row["account_id"] for row in cur.fetchall()]


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_tenant_transaction_sees_only_its_own_rows(clean_db, two_accounts, table):
    alpha, beta = two_accounts
    with clean_db.tenant(alpha) as conn:
        rows = _rows(conn, table)
    assert rows and set(rows) == {alpha}
    with clean_db.system() as conn:
        assert beta in _rows(conn, table)  # the other account's rows do exist


def test_tenant_transaction_sees_only_its_own_account(clean_db, two_accounts):
    alpha, _ = two_accounts
    with clean_db.tenant(alpha) as conn, conn.cursor() as cur:
        cur.execute("SELECT id FROM accounts")
        assert [row["id"] for row in cur.fetchall()] == [alpha]


@pytest.mark.parametrize("table", TENANT_TABLES + ("accounts",))
def test_query_with_no_account_set_sees_nothing(clean_db, two_accounts, table):
    with clean_db.unscoped() as conn, conn.cursor() as cur:
        cur.execute(f"SELECT count(*) AS n FROM {table}")
        assert cur.fetchone()["n"] == 0


def test_tenant_cannot_write_rows_for_another_account(clean_db, two_accounts):
    import psycopg2

    alpha, beta = two_accounts
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        with clean_db.tenant(alpha) as conn, conn.cursor() as cur:
            cur.execute("INSERT INTO contacts (account_id, phone) VALUES (%s, '5511912345678')", (beta,))


def test_tenant_update_without_where_touches_only_its_rows(clean_db, two_accounts):
    alpha, beta = two_accounts
    with clean_db.tenant(alpha) as conn, conn.cursor() as cur:
        cur.execute("UPDATE campaigns SET name = 'hijacked'")
    assert [c["name"] for c in _campaigns(clean_db, beta)] == ["Beta promo"]
    assert [c["name"] for c in _campaigns(clean_db, alpha)] == ["hijacked"]


def _campaigns(db, account_id):
    with db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT name FROM campaigns WHERE account_id = %s", (account_id,))
        return cur.fetchall()


PLATFORM_TABLES = ("login_failures", "schema_migrations", "evolution_servers", "unlinks", "dead_letters",
                   "signup_requests", "nodes", "instance_history", "worker_files")
"""Tables that hold no tenant's rows (unlinks names accounts, but only the platform reads it)."""


def _tables(conn) -> dict[str, dict]:
    with conn.cursor() as cur:
        cur.execute("SELECT c.relname, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,"
                    " array(SELECT p.polname FROM pg_policy p WHERE p.polrelid = c.oid) AS policies"
                    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE n.nspname = 'public' AND c.relkind = 'r'")
        return {r["relname"]: r for r in cur.fetchall()}


def test_every_tenant_table_forces_rls_and_keeps_tenants_apart(clean_db):
    with clean_db.system() as conn:
        tables = _tables(conn)
    tenant_tables = set(tables) - set(PLATFORM_TABLES)
    assert set(TENANT_TABLES) | {"accounts", "instances", "webhooks", "webhook_deliveries"} <= tenant_tables
    for name in tenant_tables:
        table = tables[name]
        assert (table["rls"], table["forced"]) == (True, True), name
        assert set(table["policies"]) == {"tenant_isolation", "platform_access"}, name
    for name in PLATFORM_TABLES:
        assert tables[name]["rls"] and "tenant_isolation" not in tables[name]["policies"], name


def test_the_runtime_roles_are_neither_superuser_nor_bypass_rls(clean_db):
    with clean_db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT current_user AS platform")
        platform = cur.fetchone()["platform"]
    with clean_db.tenant(uuid.uuid4()) as conn, conn.cursor() as cur:
        cur.execute("SELECT session_user AS login")
        tenant = cur.fetchone()["login"]
    assert (platform, tenant) == ("zapfleet_platform", "zapfleet_tenant")
    with clean_db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = ANY(%s)",
                    ([platform, tenant],))
        assert all(not r["rolsuper"] and not r["rolbypassrls"] for r in cur.fetchall())


def test_an_injected_reset_role_in_a_tenant_transaction_still_sees_one_tenant(clean_db, two_accounts):
    """What a SQL injection could do: leave the application role. The login role underneath is
    bound by row-level security too, and cannot become the platform role."""
    alpha, _beta = two_accounts
    with clean_db.tenant(alpha) as conn, conn.cursor() as cur:
        cur.execute("RESET ROLE")
        cur.execute("SELECT current_user AS who")
        assert cur.fetchone()["who"] == "zapfleet_tenant"
        assert set(_rows(conn, "contacts")) == {alpha}
        cur.execute("SELECT count(*) AS n FROM accounts")
        assert cur.fetchone()["n"] == 1
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        with clean_db.tenant(alpha) as conn, conn.cursor() as cur:
            cur.execute("SET ROLE zapfleet_platform")


@pytest.mark.parametrize("table", [t for t in PLATFORM_TABLES if t != "nodes"])
def test_platform_tables_are_closed_to_the_tenant_role(clean_db, table):
    with clean_db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT relrowsecurity FROM pg_class WHERE oid = %s::regclass", (table,))
        assert cur.fetchone()["relrowsecurity"] is True  # no policy: no other role sees a row
        cur.execute("SELECT has_table_privilege('zapfleet_app', %s, 'SELECT') AS can", (table,))
        assert cur.fetchone()["can"] is False
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        with clean_db.unscoped() as conn, conn.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {table}")


def test_the_tenant_role_reads_only_where_nodes_are(clean_db):
    """The send route reads its worker's node address in a tenant transaction; nothing else of
    the nodes table is open to the tenant role."""
    with clean_db.system() as conn:
        nodes_sql.register_node(conn, "n1", "10.0.0.7", 5001, 1000, 20, 0, 1)
    with clean_db.unscoped() as conn, conn.cursor() as cur:
        cur.execute("SELECT name, address FROM nodes")
        assert cur.fetchall() == [{"name": "n1", "address": "10.0.0.7"}]
    for column in ("capacity", "heartbeat_at", "agent_pid"):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            with clean_db.unscoped() as conn, conn.cursor() as cur:
                cur.execute(f"SELECT {column} FROM nodes")
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        with clean_db.unscoped() as conn, conn.cursor() as cur:
            cur.execute("UPDATE nodes SET address = 'evil'")
