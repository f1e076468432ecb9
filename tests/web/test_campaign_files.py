"""A campaign sends one file with each message: an uploaded image or PDF, or the image at its
qr_code_url (fetched from a real local server when saved); an account's files go with it."""
from __future__ import annotations

import hashlib
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support.clock import Clock
from tests.support.files import PDF, FileServer, b64, png
from tests.support.linked import link
from web import create_app
from zapfleet.campaigns.runner import CampaignRunner

NOON = datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))
QR = png(64, 64, (0, 0, 0))


@pytest.fixture
def app(config, clean_db, identity):
    """The app, allowed to fetch from this machine (the QR server is local)."""
    return create_app(config.with_overrides(webhook_allow_private=True), db=clean_db, identity=identity)


@pytest.fixture
def shop(client, register, managers, clean_db):
    tenant = register("Loja da Ana")
    managers.contacts.create_contact(tenant.id, {"phone": "11988880001", "name": "Bia", "tags": ["vip"]})
    link(clean_db, tenant.id)
    return tenant, f"/api/accounts/{tenant.id}"


def _sent_file(client, shop, clean_db, **fields) -> dict:
    """Create, start and run the campaign once; the message it queued."""
    tenant, base = shop
    created = client.post(f"{base}/campaigns", headers=tenant.headers, json={
        "name": "Promo", "message": "Oi {name}!", "target_tags": ["vip"], **fields})
    assert created.status_code == 201, created.get_json()
    client.post(f"{base}/campaigns/{created.get_json()['id']}/start", headers=tenant.headers)
    assert CampaignRunner(clean_db, clock=Clock(NOON)).run_due() == 1
    with clean_db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT body, type, media FROM messages WHERE account_id = %s AND origin = 'campaign'",
                    (tenant.id,))
        return cur.fetchone()


def test_an_uploaded_pdf_goes_with_each_message(client, shop, clean_db):
    tenant, base = shop
    upload = client.post(f"{base}/media", headers=tenant.headers,
                         data={"file": (io.BytesIO(PDF), "catalogo.pdf", "application/pdf")})
    assert upload.status_code == 201, upload.get_json()
    message = _sent_file(client, shop, clean_db, attachment_id=upload.get_json()["id"])
    assert (message["body"], message["type"]) == ("Oi Bia!", "document")
    assert (message["media"]["filename"], message["media"]["sha256"]) == ("catalogo.pdf",
                                                                          hashlib.sha256(PDF).hexdigest())


def test_the_qr_code_is_fetched_when_saved_and_sent_as_an_image(client, shop, clean_db):
    with FileServer("qr.png", QR, "image/png") as files:
        message = _sent_file(client, shop, clean_db, qr_code_url=files.url)
    assert (message["body"], message["type"]) == ("Oi Bia!", "image")  # the image carries the QR
    assert message["media"]["sha256"] == hashlib.sha256(QR).hexdigest()


@pytest.mark.parametrize("fields, field", [
    ({"qr_code_url": "QR/missing.png"}, "qr_code_url"),
    ({"qr_code_url": "QR/qr.png", "attachment_id": "00000000-0000-0000-0000-000000000000"}, "attachment_id"),
    ({"attachment_id": "00000000-0000-0000-0000-000000000000"}, "attachment_id"),
])
def test_a_file_that_cannot_be_sent_is_refused_when_saving(client, shop, fields, field):
    tenant, base = shop
    with FileServer("qr.png", PDF, "image/png") as files:  # a PDF where the QR image should be
        body = {k: v.replace("QR", files.url.rsplit("/", 1)[0]) if k == "qr_code_url" else v
                for k, v in fields.items()}
        answer = client.post(f"{base}/campaigns", headers=tenant.headers, json={"name": "x", **body})
        assert answer.status_code == 400 and answer.get_json()["error"]["message"].startswith(field)
        if "attachment_id" not in fields:
            wrong = client.post(f"{base}/campaigns", headers=tenant.headers,
                                json={"name": "x", "qr_code_url": files.url})
            assert "is not an image (application/pdf)" in wrong.get_json()["error"]["message"]


def test_another_accounts_file_cannot_be_attached(client, shop, register):
    tenant, base = shop
    other = register("Outra Loja")
    upload = client.post(f"/api/accounts/{other.id}/media", headers=other.headers,
                         json={"data": b64(PDF), "mime_type": "application/pdf"}).get_json()
    answer = client.post(f"{base}/campaigns", headers=tenant.headers,
                         json={"name": "x", "attachment_id": upload["id"]})
    assert answer.status_code == 400
    assert answer.get_json()["error"]["message"] == "attachment_id: is not a file of this account"


def test_deleting_an_account_deletes_its_files(client, register, admin_headers, app):
    tenant = register("Loja que fecha")
    base = f"/api/accounts/{tenant.id}"
    upload = client.post(f"{base}/media", headers=tenant.headers,
                         json={"data": b64(PDF), "mime_type": "application/pdf"}).get_json()
    folder = app.config["ZAPFLEET"].var_dir / "media" / str(tenant.id)
    assert (folder / upload["id"]).read_bytes() == PDF
    assert client.delete(f"/api/accounts/{tenant.id}", headers=admin_headers).status_code == 204
    assert not folder.exists()
