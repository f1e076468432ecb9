"""E-mail through SMTP (SMTP_URL): smtp://user:password@host:587 (STARTTLS when the server
offers it) or smtps://user:password@host:465. The password never reaches a log."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

TIMEOUT = 20


class Mailer:
    """Sends plain-text e-mails through one SMTP server."""

    def __init__(self, smtp_url: str, sender: str):
        parts = urlsplit(smtp_url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL must be smtp://[user:password@]host[:port] or smtps://...")
        self.secure = parts.scheme == "smtps"
        self.host, self.port = parts.hostname, parts.port or (465 if self.secure else 587)
        self._user = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password or "")
        self.sender = sender

    def __repr__(self) -> str:
        return f"Mailer({self.host}:{self.port})"  # never the password

    def send(self, to: str, subject: str, body: str) -> None:
        """Send one e-mail (smtplib's errors propagate: the caller decides what they mean)."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(body)
        with self._connect() as smtp:
            if self._user:
                smtp.login(self._user, self._password)
            smtp.send_message(message)

    def _connect(self) -> smtplib.SMTP:
        if self.secure:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT)
        smtp = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT)
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls()
            smtp.ehlo()
        return smtp
