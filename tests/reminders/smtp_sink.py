"""A real SMTP server on 127.0.0.1 for the tests: accepts every message and keeps it (RFC 5321 subset
that Django's SMTP backend speaks: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT)."""
from __future__ import annotations

import email
import email.policy
import socketserver
import threading


class _Handler(socketserver.StreamRequestHandler):
    def _say(self, line: str):
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def handle(self):
        self._say("220 localhost ESMTP test sink")
        sender, rcpts = None, []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            verb = raw.decode("ascii", "replace").strip().split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.wfile.write(b"250-localhost\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
            elif verb == "HELO":
                self._say("250 localhost")
            elif verb == "MAIL":
                sender, rcpts = raw.decode().split(":", 1)[1].strip(), []
                self._say("250 OK")
            elif verb == "RCPT":
                rcpts.append(raw.decode().split(":", 1)[1].strip().strip("<>"))
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 End data with <CR><LF>.<CR><LF>")
                chunks = []
                while True:
                    line = self.rfile.readline()
                    if line in (b".\r\n", b".\n", b""):
                        break
                    chunks.append(line[1:] if line.startswith(b"..") else line)
                message = email.message_from_bytes(b"".join(chunks), policy=email.policy.default)
                self.server.messages.append((sender, rcpts, message))
                self._say("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self._say("250 OK")
            elif verb == "QUIT":
                self._say("221 Bye")
                return
            else:
                self._say("502 Command not implemented")


class SmtpSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.messages = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


def text_of(message) -> str:
    """Plain-text body of a message (first text/plain part)."""
    part = message.get_body(preferencelist=("plain",)) if message.is_multipart() else message
    return part.get_content()
