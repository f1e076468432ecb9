"""Benchmark: files through the API, the web processes' memory, and a received photo's way in.

Usage: python -m bench.media [--sends 100] [--clients 4] [--uploads 8] [--inbound 5]
The app runs under gunicorn (gthread, 2 processes, as bench.send_path) with a real supervisord
and a linked sandbox worker, which fetches every file it sends from the app; media go to the
default folder storage. BENCH_DATABASE_URL selects the PostgreSQL server (else an embedded one).
Prints:
- sends of a 1 MB photo as JSON (base64): requests/s, p50 and p99;
- the peak RSS (VmHWM) of each web process after `uploads` clients each sent a 16 MB video as
  multipart/form-data at once (goal: under 150 MB per process, i.e. streamed, not held);
- the time from a customer's 5 MB photo reaching the sandbox phone to the message being listed
  through the API (goal ≤ 1 s).
"""
from __future__ import annotations

import argparse
import base64
import os
import secrets
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench.benchdb import bench_database, free_port
from bench.send_path import USER, linked_account, percentile, start_app, start_supervisord, stop

MB = 1024 * 1024
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


def jpeg(size: int) -> bytes:
    """A photo of size bytes as far as its type goes (a JPEG's start, then random bytes)."""
    return JPEG_HEAD + os.urandom(size - len(JPEG_HEAD))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def photo_sends(url: str, headers: dict, count: int, clients: int) -> tuple[float, list[float]]:
    """count sends of a 1 MB photo (each its own bytes) by clients threads; (req/s, latencies)."""
    photos = [jpeg(MB) for _ in range(count)]

    def send(photo: bytes) -> float:
        started = time.perf_counter()
        answer = requests.post(url, headers=headers, timeout=60, json={
            "phone": f"55119{secrets.randbelow(10**8):08d}",
            "media": {"data": b64(photo), "mime_type": "image/jpeg"}})
        if answer.status_code not in (201, 202):
            raise SystemExit(f"a send failed: HTTP {answer.status_code} {answer.text[:200]}")
        return time.perf_counter() - started
    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = list(pool.map(send, photos))
    return count / (time.perf_counter() - began), latencies


def video_uploads(url: str, key: str, clients: int) -> None:
    """clients concurrent multipart sends of a 16 MB video each."""
    video = MP4_HEAD + os.urandom(16 * MB - 4096 - len(MP4_HEAD))

    def upload(n: int) -> None:
        answer = requests.post(url, headers={"Authorization": key}, timeout=300,
                               data={"phone": f"5511977{n:06d}", "message": "vídeo"},
                               files={"file": ("video.mp4", video, "video/mp4")})
        if answer.status_code not in (201, 202):
            raise SystemExit(f"an upload failed: HTTP {answer.status_code} {answer.text[:200]}")
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(upload, range(clients)))


def web_processes(master: int) -> list[int]:
    """The gunicorn worker processes of a master."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def peak_rss_mb(pid: int) -> float:
    """A process's peak resident set (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no VmHWM for {pid}")


def inbound_seconds(base: str, account: str, headers: dict, runs: int) -> list[float]:
    """Seconds from injecting a 5 MB photo at the sandbox phone to its message being listed."""
    photo, times = jpeg(5 * MB - 4096), []
    for n in range(runs):
        phone = f"5511966{n:06d}"
        started = time.perf_counter()
        requests.post(f"{base}/api/accounts/{account}/sandbox/inbound", headers=headers, timeout=60,
                      json={"phone": phone, "media": {"data": b64(photo), "mime_type": "image/jpeg"}}
                      ).raise_for_status()
        while not listed(base, account, headers, phone):
            if time.perf_counter() - started > 30:
                raise SystemExit("the received photo was not listed within 30 s")
            time.sleep(0.01)
        times.append(time.perf_counter() - started)
    return times


def listed(base: str, account: str, headers: dict, phone: str) -> bool:
    """True when the conversation with phone lists a received photo that is available."""
    conversations = requests.get(f"{base}/api/accounts/{account}/conversations", headers=headers,
                                 timeout=30).json()["items"]
    for conversation in (c for c in conversations if c["phone"] == phone):
        messages = requests.get(f"{base}/api/accounts/{account}/conversations/{conversation['id']}"
                                "/messages", headers=headers, timeout=30).json()["items"]
        return any(m["type"] == "image" and (m["media"] or {}).get("available") for m in messages)
    return False


def run(database_url: str, args: argparse.Namespace) -> None:
    """Start supervisord and the app, measure, print the table."""
    var_dir = Path(tempfile.mkdtemp(prefix="zfm", dir="/tmp"))
    password, port, admin_key = secrets.token_urlsafe(16), free_port(), secrets.token_urlsafe(24)
    env = {**os.environ, "DATABASE_URL": database_url, "ADMIN_API_KEY": admin_key,
           "SECRET_KEY": secrets.token_urlsafe(24), "ZAPFLEET_ENV_FILE": os.devnull,
           "ZAPFLEET_VAR_DIR": str(var_dir), "ZAPFLEET_BIND": f"127.0.0.1:{port}", "RATE_LIMITS": "off",
           "SUPERVISOR_USER": USER, "SUPERVISOR_PASSWORD": password, "WORKER_PORT_BASE": "26001",
           "SANDBOX_RECEIPT_DELAY": "0"}
    (var_dir / "supervisor" / "workers").mkdir(parents=True)
    (var_dir / "log").mkdir()
    daemon, app = start_supervisord(var_dir, password), None
    base = f"http://127.0.0.1:{port}"
    try:
        app = start_app(env, port)
        account, headers = linked_account(base, {"Authorization": f"Bearer {admin_key}"})
        send = f"{base}/api/accounts/{account}/send"
        before = [peak_rss_mb(pid) for pid in web_processes(app.pid)]
        video_uploads(send, headers["Authorization"], args.uploads)
        peaks = [peak_rss_mb(pid) for pid in web_processes(app.pid)]
        rate, latencies = photo_sends(send, headers, args.sends, args.clients)
        inbound = inbound_seconds(base, account, headers, args.inbound)
    finally:
        if app is not None:
            app.terminate()
            app.wait()
        stop(daemon, var_dir / "supervisord.conf")
    print(f"{args.sends} sends of a 1 MB photo (JSON, base64), {args.clients} clients:"
          f" {rate:.1f} req/s, p50 {percentile(latencies, 50):.0f} ms, p99 {percentile(latencies, 99):.0f} ms")
    print(f"peak RSS of the web processes after {args.uploads} concurrent 16 MB video uploads:"
          f" {', '.join(f'{mb:.0f} MB' for mb in peaks)} (before: {', '.join(f'{mb:.0f}' for mb in before)};"
          " goal < 150 MB each)")
    print(f"a received 5 MB photo listed after: median {statistics.median(inbound):.2f} s,"
          f" worst {max(inbound):.2f} s of {len(inbound)} (goal ≤ 1 s)")


def main() -> None:
    """Parse the options; run against a throwaway database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=100)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--uploads", type=int, default=8)
    parser.add_argument("--inbound", type=int, default=5)
    with bench_database() as database_url:
        run(database_url, parser.parse_args())


if __name__ == "__main__":
    main()
