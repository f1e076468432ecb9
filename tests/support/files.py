"""Small files of each kind, their bytes as the real formats begin, and a server that hands one
out (a public URL to send from)."""
from __future__ import annotations

import base64
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c6360f8cfc0f01f0005000201a5f0b1dd0000000049454e44ae426082")
"""A 1×1 PNG."""
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
OGG = b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x13OpusHead\x01\x01" + b"\x00" * 40
"""The start of an Ogg Opus voice note."""
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
"""The start of an MP4 video."""
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00" + b"\x00" * 32
"""The start of a WebP sticker."""


def png(width: int, height: int, rgb: tuple[int, int, int] = (37, 211, 102)) -> bytes:
    """A real PNG of one colour, width × height."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def jpeg(size: int) -> bytes:
    """A JPEG-looking file of size bytes (its signature, then padding)."""
    head = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return head + b"\x00" * (size - len(head))


def b64(data: bytes) -> str:
    """The bytes in base64, as the API takes them."""
    return base64.b64encode(data).decode()


class FileServer:
    """Serves one file at /<name> on 127.0.0.1 (404 for anything else)."""

    def __init__(self, name: str, data: bytes, content_type: str = "application/octet-stream"):
        self.name, self.data, self.content_type = name, data, content_type
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/{self.name}"

    def __enter__(self) -> FileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        files = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                found = self.path == f"/{files.name}"
                body = files.data if found else b"not here"
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", files.content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass
        return Handler
