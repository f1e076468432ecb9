"""The app as gunicorn serves it, plus one bare route that does a single INSERT (bench only)."""
import uuid

from web.wsgi import app

_db = app.extensions["zapfleet"].db


def bare_insert():
    """The floor to compare the send path with: one INSERT, no worker, no validation."""
    with _db.system() as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO login_failures (email, address) VALUES (%s, 'bench')",
                    (f"bench-{uuid.uuid4()}",))  # a table the service's platform role writes
    return {"ok": True}, 201


app.add_url_rule("/bench/insert", "bare_insert", bare_insert, methods=["POST"])
app.extensions["csrf"].exempt(bare_insert)  # a machine route like the API's, not a page's form
