"""Migrations apply in order, once."""
from zapfleet.db.migrate import migrate, migration_files


def test_migrations_are_numbered_and_recorded(database_url, clean_db):
    names = [p.name for p in migration_files()]
    assert names and names == sorted(names) and names[0].startswith("0001_")
    with clean_db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT name FROM schema_migrations ORDER BY name")
        assert [r["name"] for r in cur.fetchall()] == names


def test_applying_twice_is_a_no_op(database_url):
    assert migrate(database_url) == []
