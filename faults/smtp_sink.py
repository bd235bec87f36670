"""A local SMTP server for `make faults`: records what it accepts, and can refuse or dawdle.

It counts an e-mail as delivered when it answers 250 to a client that is still connected, as a
real mail server takes responsibility for a message then; a client that vanished before the 250
delivered nothing.
"""

from __future__ import annotations

import asyncio
import email
import threading
import time
from dataclasses import dataclass

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Accepted:
    message_id: str
    recipient: str
    at: float  # time.time() when the 250 went out


class _Handler:
    def __init__(self, sink: SmtpSink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.sink.refusing:
            return "451 4.3.0 Mail server busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.sink.lock:
            self.sink.receiving += 1
        try:
            if self.sink.data_delay:
                await asyncio.sleep(self.sink.data_delay)
            transport = server.transport
            if transport is None or transport.is_closing():
                return "421 4.4.2 Connection lost"  # nobody hears it; nothing delivered
            message = email.message_from_bytes(envelope.content)
            with self.sink.lock:
                for recipient in envelope.rcpt_tos:
                    self.sink.accepted.append(
                        Accepted(message.get("Message-ID", ""), recipient, time.time())
                    )
            return "250 OK"
        finally:
            with self.sink.lock:
                self.sink.receiving -= 1


class SmtpSink:
    def __init__(self, port: int):
        self.port = port
        self.refusing = False
        self.data_delay = 0.0
        self.receiving = 0
        self.accepted: list[Accepted] = []
        self.lock = threading.Lock()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=port)

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def snapshot(self) -> list[Accepted]:
        with self.lock:
            return list(self.accepted)
