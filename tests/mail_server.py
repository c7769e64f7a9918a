"""A real SMTP server for the tests that read e-mail back: aiosmtpd on 127.0.0.1 and a free port."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every mail it receives: (recipients, raw bytes, parsed message)."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], bytes, EmailMessage]] = []
        self.port = 0
        #: addresses the server refuses for good (550), as a mailbox that does not exist
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.mails.append((list(envelope.rcpt_tos), envelope.content, parsed))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        """The mails that were sent to ``address``."""
        return [parsed for rcpt, _raw, parsed in self.mails if address in rcpt]


@contextmanager
def running_smtp_server() -> Iterator[Inbox]:
    """Start an SMTP server for the block; its ``Inbox`` collects what arrives."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    try:
        yield inbox
    finally:
        controller.stop()
