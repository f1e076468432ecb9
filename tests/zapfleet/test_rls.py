"""Row-level security: the database itself keeps accounts apart."""
import psycopg2.errors
import pytest

TENANT_TABLES = ("users", "api_keys", "contacts", "conversations", "messages", "campaigns")


@pytest.fixture
def two_accounts(managers):
    """Two accounts, each with a user, a key, a contact, a conversation and a campaign."""
    ids = []
    for name in ("Alpha", "Beta"):
        account = managers.accounts.register_customer({"name": name, "email": f"{name}@example.com",
                                             "password": "long enough pw"})["account"]
        managers.conversations.record_message(account["id"], "5511999990000", "in", "oi", "received")
        managers.campaigns.create_campaign(account["id"], {"name": f"{name} promo"})
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


def test_every_table_with_an_account_id_has_rls_and_a_policy(clean_db):
    with clean_db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT c.relname, c.relrowsecurity,"
                    " EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid) AS has_policy"
                    " FROM pg_class c JOIN information_schema.columns col"
                    "   ON col.table_name = c.relname AND col.column_name = 'account_id'"
                    "  AND col.table_schema = 'public' AND c.relkind = 'r'")
        rows = {r["relname"]: (r["relrowsecurity"], r["has_policy"]) for r in cur.fetchall()}
    assert set(TENANT_TABLES) | {"instances", "webhooks", "webhook_deliveries"} <= set(rows)
    assert all(flags == (True, True) for flags in rows.values()), rows


@pytest.mark.parametrize("table", ("login_failures", "schema_migrations"))
def test_platform_tables_are_closed_to_the_tenant_role(clean_db, table):
    with clean_db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT relrowsecurity FROM pg_class WHERE oid = %s::regclass", (table,))
        assert cur.fetchone()["relrowsecurity"] is True  # no policy: no other role sees a row
        cur.execute("SELECT has_table_privilege('zapfleet_app', %s, 'SELECT') AS can", (table,))
        assert cur.fetchone()["can"] is False
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        with clean_db.unscoped() as conn, conn.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {table}")
