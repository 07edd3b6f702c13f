"""A real SMTP server for tests (aiosmtpd on a free local port): mail the portal sends
is received and parsed, never mocked."""
import email
import re
import socket
import threading

from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://\S+/(?:undangan|gabung)/[A-Za-z0-9_-]+")


class Inbox:
    def __init__(self):
        self.messages: list[email.message.Message] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[email.message.Message]:
        with self.lock:
            return [m for m in self.messages if address in m["To"]]

    def link_for(self, address: str) -> str:
        messages = self.to(address)
        assert messages, f"no mail to {address}"
        body = messages[-1].get_payload(decode=True).decode()
        return LINK.search(body).group(0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    def __init__(self):
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def config(self) -> dict:
        """Mail through this server; the job queue runs tasks at once in the caller's thread
        (huey's immediate mode: the real task, the real SMTP session). A test that needs
        the queue itself (timing, workers) sets HUEY_IMMEDIATE False and runs a worker."""
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_SUPPRESS_SEND": False,
                "MAIL_DEFAULT_SENDER": "portal@sakip.test", "HUEY_IMMEDIATE": True}

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
