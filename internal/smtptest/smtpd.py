"""A real SMTP server for the tests: aiosmtpd on loopback, with STARTTLS (or TLS from the
first byte) and AUTH required. Each message received is written to the output directory as
a JSON file (envelope and raw data), and announced on stdout as `message <file>`; `ready
<port>` says the server listens. A recipient whose local part is `refused` is refused with a
permanent error."""

import argparse
import asyncio
import base64
import json
import os
import ssl

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

p = argparse.ArgumentParser()
for name in ("host", "port", "cert", "key", "user", "password", "dir"):
    p.add_argument("--" + name, required=True)
p.add_argument("--implicit-tls", action="store_true")
args = p.parse_args()

tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
tls.load_cert_chain(args.cert, args.key)
received = len(os.listdir(args.dir))


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.partition("@")[0] == "refused":
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        global received
        received += 1
        name = os.path.join(args.dir, "%06d.json" % received)
        with open(name + ".tmp", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                       "data": base64.b64encode(envelope.content).decode()}, f)
        os.replace(name + ".tmp", name)
        print("message", name, flush=True)
        return "250 OK: queued"


def authenticate(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and data.login.decode() == args.user \
        and data.password.decode() == args.password
    return AuthResult(success=ok, handled=False)


def smtp():
    # aiosmtpd counts only STARTTLS as TLS for auth_require_tls; with implicit TLS the whole
    # connection is encrypted anyway.
    return SMTP(Handler(), hostname="smtptest", authenticator=authenticate, auth_required=True,
                auth_require_tls=not args.implicit_tls, require_starttls=not args.implicit_tls,
                tls_context=None if args.implicit_tls else tls)


loop = asyncio.new_event_loop()
server = loop.run_until_complete(loop.create_server(
    smtp, args.host, int(args.port), ssl=tls if args.implicit_tls else None, reuse_address=True))
print("ready", server.sockets[0].getsockname()[1], flush=True)
loop.run_forever()
