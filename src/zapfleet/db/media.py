"""SQL for stored media files."""
from __future__ import annotations

from uuid import UUID

MEDIA_COLUMNS = "id, account_id, kind, mime_type, size, filename, sha256, storage_key, created_at"


def insert_media(conn, account_id: UUID, media_id: UUID, file: dict) -> dict | None:
    """Record a stored file (kind, mime_type, size, filename, sha256, storage_key); None when a
    file with this id is recorded already."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO media (id, account_id, kind, mime_type, size, filename, sha256, storage_key)"
            " VALUES (%(id)s, %(account_id)s, %(kind)s, %(mime_type)s, %(size)s, %(filename)s,"
            f" %(sha256)s, %(storage_key)s) ON CONFLICT (id) DO NOTHING RETURNING {MEDIA_COLUMNS}",
            {**file, "id": media_id, "account_id": account_id})
        return cur.fetchone()


def get_media(conn, account_id: UUID, media_id: UUID) -> dict | None:
    """One of the account's files, or None."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {MEDIA_COLUMNS} FROM media WHERE account_id = %s AND id = %s",
                    (account_id, media_id))
        return cur.fetchone()
