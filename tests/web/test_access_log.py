"""The access log never holds a sandbox QR link's token."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config as GunicornConfig

from web.access_log import RedactingLogger


def test_qr_tokens_are_left_out_of_the_access_log(capsys):
    settings = GunicornConfig()
    settings.set("accesslog", "-")  # as supervisord.conf runs it: the access log on stdout
    logger = RedactingLogger(settings)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/sandbox/scan/s3cr3t-t0ken?x=1",
               "PATH_INFO": "/sandbox/scan/s3cr3t-t0ken", "QUERY_STRING": "x=1",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.9",
               "HTTP_REFERER": "http://127.0.0.1:8000/sandbox/scan/s3cr3t-t0ken"}
    response = SimpleNamespace(status="200 OK", sent=12, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    logger.access(response, request, environ, timedelta(milliseconds=3))
    line = capsys.readouterr().out
    assert "GET /sandbox/scan/[redacted]?x=1 HTTP/1.1" in line
    assert "s3cr3t" not in line
