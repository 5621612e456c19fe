"""A real SMTP server (aiosmtpd on 127.0.0.1, a free port) that collects what arrives,
and a clock that tests move forward instead of sleeping."""
import email
import re
import socket
import threading
from datetime import timedelta
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

import kitu_exchange.clock
from kitu_exchange.models import utcnow


class Collector:
    """aiosmtpd handler: keeps every accepted message, parsed by the `email` package."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self.unknown: set[str] = set()  # addresses refused for good (550)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.unknown:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.collector = Collector()
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.collector.messages

    def start(self) -> None:
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


@pytest.fixture
def smtp(app):
    """A running SMTP server, and the app configured to send through it."""
    server = SmtpServer()
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    yield server
    server.stop()


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self):
        return utcnow() + self.offset

    def advance(self, **interval) -> None:
        self.offset += timedelta(**interval)


@pytest.fixture
def clock(monkeypatch):
    moved = Clock()
    monkeypatch.setattr(kitu_exchange.clock, "now", moved.now)
    return moved


def send_mail(runner) -> str:
    """`flask mail send`, as cron would run it; its output."""
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()


def link_in(message: EmailMessage, path: str) -> str:
    """The site-relative link to `path…` in the mail's text (the test client's view)."""
    match = re.search(r"http://kitu\.test(" + re.escape(path) + r"[^\s<>\"]+)",
                      text_of(message))
    assert match, text_of(message)
    return match.group(1)
