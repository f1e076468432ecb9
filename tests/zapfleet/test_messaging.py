"""Messages to a phone the account has never seen, arriving at the same moment."""
from concurrent.futures import ThreadPoolExecutor


def test_concurrent_first_messages_to_a_new_phone_make_one_contact(managers, clean_db):
    account = managers.accounts.create_account({"name": "Academia Forte"})["id"]
    with ThreadPoolExecutor(8) as pool:
        stored = list(pool.map(lambda n: managers.conversations.record_message(
            account, "5511955554444", "in", f"oi {n}", "received"), range(16)))
    assert all(stored)
    with clean_db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) AS n FROM contacts WHERE account_id = %s", (account,))
        assert cur.fetchone()["n"] == 1
        cur.execute("SELECT count(*) AS n FROM messages WHERE account_id = %s", (account,))
        assert cur.fetchone()["n"] == 16
