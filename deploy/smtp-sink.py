#!/usr/bin/python3
"""smtp-sink.py: the local stack's SMTP server (aiosmtpd, loopback only): every message it accepts
is kept as one .eml file under MAIL_DIR, written whole before the 250 that acknowledges it.

Test controls, for faults with exact books:
- MAIL_DIR/../mail-control holding a code such as 451 (or 554): the end of DATA is answered with
  it and nothing is kept, while the file exists.
- a recipient whose local part starts with "bounce" is refused with 550 at RCPT.
- --tls-cert/--tls-key: STARTTLS offered and required (or, with --implicit-tls, TLS from the first
  byte, as smtps://); --auth USER:PASSWORD: AUTH required (tests/integration/test_mailer.py).
- MAIL_DIR/../mail-delay holding milliseconds: each message waits that long before it is kept;
  one whose client hung up meanwhile is not kept (it was never acknowledged).
"""
import argparse
import asyncio
import os
import signal
import ssl
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class KeepEveryMessage:
    def __init__(self, mail_dir):
        self.mail_dir = mail_dir
        self.control = os.path.join(os.path.dirname(os.path.abspath(mail_dir)), "mail-control")
        self.delay = os.path.join(os.path.dirname(os.path.abspath(mail_dir)), "mail-delay")
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@")[0].startswith("bounce"):
            return "550 5.1.1 Mailbox unavailable (the sink refuses bounce* addresses)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        try:
            with open(self.control) as f:
                code = f.read().strip()
        except FileNotFoundError:
            code = ""
        if code:
            return f"{code} {code[0]}.3.0 The sink was told to answer {code}"
        try:
            with open(self.delay) as f:
                await asyncio.sleep(int(f.read().strip() or 0) / 1000)
        except FileNotFoundError:
            pass
        if server.transport is None or server.transport.is_closing():
            print("smtp-sink: the client left before the 250; message not kept", flush=True)
            return "421 4.3.0 Client gone"
        self.count += 1
        name = "%d.%06d-%d-%d.eml" % (time.time(), time.time() % 1 * 1e6, os.getpid(), self.count)
        tmp = os.path.join(self.mail_dir, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(b"X-Envelope-From: " + envelope.mail_from.encode() + b"\r\n")
            f.write(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, os.path.join(self.mail_dir, name))
        return "250 Message accepted for delivery"


def security(args):
    """The Controller's TLS and AUTH options the command line asks for."""
    kw = {}
    if args.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        if args.implicit_tls:
            kw["ssl_context"] = ctx
        else:
            kw.update(tls_context=ctx, require_starttls=True)
    if args.auth:
        user, password = args.auth.split(":", 1)

        def check(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == user.encode() and auth_data.password == password.encode()
            return AuthResult(success=ok)
        # aiosmtpd counts only STARTTLS as TLS: with implicit TLS the whole session is TLS already.
        kw.update(authenticator=check, auth_required=True,
                  auth_require_tls=bool(args.tls_cert) and not args.implicit_tls)
    return kw


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--mail-dir", required=True)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--implicit-tls", action="store_true")
    ap.add_argument("--auth", help="USER:PASSWORD")
    args = ap.parse_args()
    os.makedirs(args.mail_dir, exist_ok=True)
    controller = Controller(KeepEveryMessage(args.mail_dir), hostname="127.0.0.1", port=args.port,
                            **security(args))
    controller.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    print(f"smtp-sink: listening on 127.0.0.1:{args.port}, keeping mail in {args.mail_dir}", flush=True)
    done.wait()
    controller.stop()


if __name__ == "__main__":
    main()
