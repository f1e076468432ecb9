"""Migrations apply in order, once."""
import psycopg2

from zapfleet.db import runtime_dsns
from zapfleet.db.migrate import migrate, migration_files, set_runtime_password


def test_migrations_are_numbered_and_recorded(database_url, clean_db):
    names = [p.name for p in migration_files()]
    assert names and names == sorted(names) and names[0].startswith("0001_")
    owner = psycopg2.connect(database_url)  # only the owner, who migrates, reads the record
    try:
        with owner.cursor() as cur:
            cur.execute("SELECT name FROM schema_migrations ORDER BY name")
            assert [r[0] for r in cur.fetchall()] == names
    finally:
        owner.close()


def test_applying_twice_is_a_no_op(database_url):
    assert migrate(database_url) == []


def test_the_runtime_roles_get_their_password_and_urls(database_url):
    set_runtime_password(database_url, "a runtime password")
    owner = psycopg2.connect(database_url)
    try:
        with owner.cursor() as cur:
            cur.execute("SELECT rolname FROM pg_authid WHERE rolpassword IS NOT NULL"
                        " AND rolname IN ('zapfleet_platform', 'zapfleet_tenant') ORDER BY 1")
            assert [r[0] for r in cur.fetchall()] == ["zapfleet_platform", "zapfleet_tenant"]
            cur.execute("ALTER ROLE zapfleet_platform PASSWORD NULL;"
                        " ALTER ROLE zapfleet_tenant PASSWORD NULL")
        owner.commit()
    finally:
        owner.close()
    platform, tenant = runtime_dsns("postgresql://owner:owner-secret@db.example.com:5432/zf", "pw")
    assert "user=zapfleet_platform" in platform and "user=zapfleet_tenant" in tenant
    assert "owner-secret" not in platform + tenant and "password=pw" in tenant
