"""What the instance manager asks of an account's worker: its QR, a send, an engine action, a
pairing code, the sandbox QR's link, the tail of its log."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from zapfleet.config import Config
from zapfleet.core.errors import Conflict, InvalidInput, NotFound, Unavailable
from zapfleet.core.shapes import parse
from zapfleet.db import Database
from zapfleet.db import instances as sql
from zapfleet.fleet.programs import WorkerProgram, tail_lines
from zapfleet.fleet.shapes import MAX_LOG_LINES, PairIn
from zapfleet.fleet.worker_client import QR_FORMATS, WorkerClient


class WorkerCalls:
    """The InstanceManager's calls to its workers (a part of it: it provides the rest)."""

    db: Database
    config: Config

    if TYPE_CHECKING:  # provided by InstanceManager
        def get(self, account_id: UUID) -> dict: ...
        def find(self, account_id: UUID) -> dict | None: ...
        def is_local(self, instance: dict) -> bool: ...
        def client_for(self, instance: dict) -> WorkerClient: ...
        def running_client(self, instance: dict) -> WorkerClient: ...
        def program_for(self, instance: dict) -> WorkerProgram: ...

    def qr(self, account_id: UUID, fmt: str) -> tuple[str, bytes]:
        """The worker's current QR as (content type, body) in json, png or svg."""
        if fmt not in QR_FORMATS:
            raise InvalidInput("format", "must be one of json, png, svg")
        client = self.running_client(self.get(account_id))
        try:
            return client.qr(fmt)
        except NotFound:
            raise NotFound("there is no QR code right now (the instance may be connected)") from None

    def send(self, account_id: UUID, message_id: str, phone: str, text: str,
             instance: dict | None = None, extra: dict | None = None) -> dict:
        """Hand one message to the account's worker (its instance row, when the caller read it
        already; extra: its file and the message it quotes); return the worker's answer."""
        instance = instance or self.get(account_id)
        if instance["desired_state"] != "running":
            raise Unavailable("the WhatsApp instance is stopped")
        try:
            return self.client_for(instance).send(message_id, phone, text, extra)
        except Conflict:
            raise Conflict("not connected") from None

    def engine_action(self, account_id: UUID, name: str, payload: dict[str, Any]) -> dict:
        """An engine-specific action on the account's worker (sandbox: link, inject)."""
        return self.running_client(self.get(account_id)).action(name, payload)

    def pairing_code(self, account_id: UUID, phone: Any) -> dict:
        """A code to type on the phone (WhatsApp > Linked devices > Link with phone number)
        instead of scanning the QR: {"code", "phone"}."""
        digits = parse(PairIn, {"phone": phone}, region=self.config.default_region).phone
        instance = self.get(account_id)
        try:
            return self.running_client(instance).action("pair", {"phone": digits})
        except NotFound:
            raise Conflict("the %(engine)s engine links by QR code only", engine=instance["engine"]) from None

    def follow_qr_link(self, instance_id: str, token: str) -> dict:
        """The sandbox QR's link was opened: pass its token to that worker; return the instance
        (with the phone the worker linked, before its connection event is stored)."""
        try:
            with self.db.system() as conn:
                instance = sql.get_instance(conn, UUID(str(instance_id)), with_node=True)
        except ValueError:
            instance = None
        if instance is None:
            raise NotFound("this QR code is not valid any more")
        linked = self.client_for(instance).action("link", {"token": token})
        current = self.find(instance["account_id"]) or instance
        return {**current, "phone": current.get("phone") or (linked or {}).get("phone")}

    def log_tail(self, account_id: UUID, lines: int = 200) -> str:
        """The last lines (1..2000) of the account's worker log; empty when there is none yet."""
        if isinstance(lines, bool) or not isinstance(lines, int) or not 1 <= lines <= MAX_LOG_LINES:
            raise InvalidInput("lines", "must be between 1 and %(most)s", most=MAX_LOG_LINES)
        instance = self.get(account_id)
        if not self.is_local(instance):
            return f"(this worker runs on node {instance['node_name']}; its log is there)\n"
        return tail_lines(self.program_for(instance).log_file, lines)
