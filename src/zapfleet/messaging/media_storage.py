"""Where media bytes live: files under var/media/ (the default) or an S3-compatible bucket
(MEDIA_STORAGE_URL=s3://bucket/prefix: AWS S3, MinIO, Cloudflare R2, Supabase Storage)."""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import urlsplit

CHUNK = 64 * 1024


class MediaStorage(Protocol):
    """Stores files by key; a key is "<account id>/<media id>"."""

    def put(self, key: str, path: str) -> None:
        """Store the file at path under key (the file may be moved away)."""

    def open(self, key: str, start: int = 0, stop: int | None = None) -> BinaryIO:
        """The stored bytes from start to stop (exclusive; None: the end), to read in chunks;
        FileNotFoundError when gone."""

    def delete(self, key: str) -> None:
        """Remove the file (nothing when it is gone already)."""

    def delete_account(self, account_id: str) -> None:
        """Remove every file of an account (its keys start with its id)."""

    def scratch_dir(self) -> str | None:
        """Where an incoming file is written before put (None: the system's temporary folder)."""


class LocalStorage:
    """Files under a folder (var/media/<account id>/<media id>), written by an atomic rename."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def put(self, key: str, path: str) -> None:
        """Move the file into place (a copy when it is on another file system)."""
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            os.replace(path, target)
        except OSError:
            shutil.copyfile(path, target)

    def open(self, key: str, start: int = 0, stop: int | None = None) -> BinaryIO:
        """The file, opened for reading from start (read no further than stop)."""
        handle = open(self._path(key), "rb")
        handle.seek(start)
        return handle

    def delete(self, key: str) -> None:
        """Remove the file."""
        try:
            os.remove(self._path(key))
        except FileNotFoundError:
            pass

    def delete_account(self, account_id: str) -> None:
        """Remove the account's folder."""
        shutil.rmtree(self._path(f"{account_id}/x").parent, ignore_errors=True)

    def scratch_dir(self) -> str:
        """var/media/.incoming: on the same file system, so put is a rename."""
        folder = self.root / ".incoming"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return str(folder)

    def _path(self, key: str) -> Path:
        account, _, media = key.partition("/")
        if not account or not media or "/" in media or ".." in key:
            raise ValueError(f"not a media key: {key!r}")
        return self.root / account / media


class S3Storage:
    """Objects in a bucket under a prefix, uploaded in parts (boto3's managed transfer)."""

    def __init__(self, bucket: str, prefix: str, client: Any):
        self.bucket, self.prefix, self.client = bucket, prefix.strip("/"), client

    def put(self, key: str, path: str) -> None:
        """Upload the file (in parts when large) and remove the local copy."""
        self.client.upload_file(path, self.bucket, self._key(key))
        os.remove(path)

    def open(self, key: str, start: int = 0, stop: int | None = None) -> BinaryIO:
        """The object's body (or the bytes from start to stop), streamed."""
        wanted = {} if start == 0 and stop is None else \
            {"Range": f"bytes={start}-{'' if stop is None else stop - 1}"}
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key), **wanted)["Body"]
        except self.client.exceptions.NoSuchKey:
            raise FileNotFoundError(key) from None

    def delete(self, key: str) -> None:
        """Delete the object."""
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def delete_account(self, account_id: str) -> None:
        """Delete every object under the account's prefix, a page at a time."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._key(f"{account_id}/"))
        for page in pages:
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})

    def scratch_dir(self) -> None:
        """The system's temporary folder."""
        return None

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key


def storage_for(url: str, var_dir: Path, endpoint_url: str = "") -> MediaStorage:
    """The storage MEDIA_STORAGE_URL names: empty for var/media/, s3://bucket/prefix for a
    bucket (credentials and region from the AWS_* environment, as boto3 reads them)."""
    if not url:
        return LocalStorage(var_dir / "media")
    parts = urlsplit(url)
    if parts.scheme == "file":
        return LocalStorage(Path(parts.path))
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"MEDIA_STORAGE_URL must be s3://bucket/prefix or file:///folder, got {url!r}")
    import boto3  # only where a bucket is used: it costs the web process memory
    client = boto3.client("s3", endpoint_url=endpoint_url or None)
    return S3Storage(parts.netloc, parts.path, client)


def chunks(stream: BinaryIO, length: int) -> Iterator[bytes]:
    """length bytes of a stored file in chunks, closing it at the end."""
    try:
        while length > 0 and (chunk := stream.read(min(CHUNK, length))):
            length -= len(chunk)
            yield chunk
    finally:
        stream.close()


def scratch_file(storage: MediaStorage) -> tempfile._TemporaryFileWrapper:
    """A new temporary file to write an incoming file to (kept: put moves it away)."""
    return tempfile.NamedTemporaryFile(dir=storage.scratch_dir(), delete=False, prefix="in-")
