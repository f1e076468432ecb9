"""Media files: types told from their bytes, limits per kind, and both storages (a folder, and
a real S3-compatible server: moto's standalone server, started here)."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from tests.support.files import OGG, PDF, PNG, jpeg
from tests.support.http import free_port
from tests.support.waiting import wait_until
from zapfleet.core.errors import InvalidInput, NotFound, PayloadTooLarge
from zapfleet.messaging.media import MediaLibrary
from zapfleet.messaging.media_storage import LocalStorage, S3Storage, storage_for
from zapfleet.messaging.media_types import checked_type, received_type

MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 16


@pytest.mark.parametrize("head, claimed, mime_type, kind", [
    (PNG, "image/png", "image/png", "image"),
    (PNG, None, "image/png", "image"),
    (jpeg(64), "image/jpg", "image/jpg", "image"),
    (OGG, "audio/ogg; codecs=opus", "audio/ogg; codecs=opus", "audio"),
    (MP4_HEAD, "audio/mp4", "audio/mp4", "audio"),
    (PDF, "application/pdf", "application/pdf", "document"),
    (b"nome;telefone\nAna;11988887777\n", "text/csv", "text/csv", "document"),
])
def test_a_file_that_is_what_it_claims_is_taken_with_its_kind(head, claimed, mime_type, kind):
    found = checked_type(head, claimed)
    assert (found.mime_type, found.kind) == (mime_type, kind)


@pytest.mark.parametrize("head, claimed, words", [
    (PDF, "image/png", "claims to be image/png but its content is application/pdf"),
    (b"<svg onload=alert(1)>", "image/svg+xml", "claims image/svg+xml but"),
    (b"just text", "application/pdf", "claims application/pdf but"),
    (b"just text", None, "has no mime_type"),
])
def test_a_mislabelled_file_is_refused_naming_the_field(head, claimed, words):
    with pytest.raises(InvalidInput) as refused:
        checked_type(head, claimed, "file")
    assert refused.value.field == "file" and words in refused.value.detail


def test_a_received_file_is_never_refused_its_bytes_decide():
    assert received_type(PDF, "image/jpeg").mime_type == "application/pdf"
    assert received_type(b"???", "image/heic").kind == "image"
    assert received_type(b"???", None).mime_type == "application/octet-stream"


@pytest.fixture
def library(clean_db, tmp_path):
    return MediaLibrary(clean_db, LocalStorage(tmp_path / "media"), "secret",
                        limits={"image": 1024})


def test_a_stored_file_is_read_back_only_by_its_account(library, make_account, tmp_path):
    owner, other = make_account(), make_account()
    row = library.store(owner["id"], io.BytesIO(PDF), "application/pdf", "../../etc/orçamento.pdf")
    assert (row["kind"], row["size"], row["filename"]) == ("document", len(PDF), "orçamento.pdf")
    assert (tmp_path / "media" / str(owner["id"]) / str(row["id"])).read_bytes() == PDF
    found, stream = library.open(owner["id"], row["id"])
    with stream:
        assert stream.read() == PDF
    with pytest.raises(NotFound):
        library.open(other["id"], row["id"])
    library.forget_account(owner["id"])
    assert not (tmp_path / "media" / str(owner["id"])).exists()


def test_a_file_over_its_kinds_limit_is_refused_and_leaves_nothing(library, make_account, tmp_path):
    account = make_account()
    with pytest.raises(PayloadTooLarge) as refused:
        library.store(account["id"], io.BytesIO(jpeg(4096)), "image/jpeg")
    assert "image may have at most" in refused.value.message
    assert os.listdir(tmp_path / "media" / ".incoming") == []
    assert library.store(account["id"], io.BytesIO(PDF * 100), "application/pdf")["size"] == len(PDF) * 100


def test_the_same_upload_key_stores_one_file(library, make_account):
    account, media_id = make_account(), __import__("uuid").uuid4()
    first = library.store(account["id"], io.BytesIO(PNG), "image/png", received=True, media_id=media_id)
    again = library.store(account["id"], io.BytesIO(PNG), "image/png", received=True, media_id=media_id)
    assert first["id"] == again["id"] == media_id


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    """moto's standalone S3-compatible server on a free port."""
    port = free_port()
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "w")
    server = subprocess.Popen([str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1",
                               "-p", str(port)], stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    wait_until(lambda: client.list_buckets() is not None, 30, "moto's server")
    client.create_bucket(Bucket="zapfleet-media")
    yield endpoint
    server.terminate()
    server.wait(10)
    log.close()


def test_the_s3_storage_keeps_files_in_the_bucket_under_its_prefix(s3_endpoint, clean_db, make_account,
                                                                   monkeypatch):
    for name, value in (("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test"),
                        ("AWS_REGION", "us-east-1")):
        monkeypatch.setenv(name, value)
    storage = storage_for("s3://zapfleet-media/clinica", Path("unused"), s3_endpoint)
    assert isinstance(storage, S3Storage)
    library, account = MediaLibrary(clean_db, storage, "secret"), make_account()
    big = PDF + os.urandom(9 * 1024 * 1024)  # above boto3's part size: a multipart upload
    row = library.store(account["id"], io.BytesIO(big), "application/pdf", "exame.pdf")
    listed = storage.client.list_objects_v2(Bucket="zapfleet-media")["Contents"]
    assert [o["Key"] for o in listed] == [f"clinica/{account['id']}/{row['id']}"]
    _, stream = library.open(account["id"], row["id"])
    assert b"".join(iter(lambda: stream.read(65536), b"")) == big
    _, part = library.open(account["id"], row["id"], 5 * 1024 * 1024, 5 * 1024 * 1024 + 10)
    assert part.read() == big[5 * 1024 * 1024:5 * 1024 * 1024 + 10]  # a Range of the object
    other = library.store(make_account()["id"], io.BytesIO(PNG), "image/png")
    library.forget_account(account["id"])
    listed = storage.client.list_objects_v2(Bucket="zapfleet-media")["Contents"]
    assert [o["Key"] for o in listed] == [f"clinica/{other['storage_key']}"]
    with pytest.raises(NotFound):
        library.open(account["id"], row["id"])
