"""A real SMTP server for the mail tests (aiosmtpd): what it accepts, kept for the asserts."""

from __future__ import annotations

import email
import socket
import threading
from email import policy
from email.message import EmailMessage


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Received(EmailMessage):
    """A message as the server took it: also its envelope recipients and its bytes on the wire."""

    envelope_to: list[str]
    raw: bytes


class Inbox:
    """An aiosmtpd handler that keeps what it accepts; it can refuse the first messages."""

    def __init__(self, refuse: int = 0, reply: str = "451 4.3.0 Probeer later opnieuw"):
        self.refuse = refuse
        self.reply = reply
        self.messages: list[Received] = []
        self.attempts = 0
        self.lock = threading.Lock()
        self.url = ""

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.attempts += 1
            if self.refuse > 0:
                self.refuse -= 1
                return self.reply
            message = email.message_from_bytes(
                envelope.content, _class=Received, policy=policy.default
            )
            message.envelope_to = list(envelope.rcpt_tos)
            message.raw = envelope.content
            self.messages.append(message)
        return "250 OK"

    def recipients(self) -> list[str]:
        """Every envelope recipient of the messages kept, sorted."""
        return sorted(address for m in self.messages for address in m.envelope_to)
