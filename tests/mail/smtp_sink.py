"""A real SMTP server on loopback for the mail tests: STARTTLS required, with a throwaway
certificate authority made at start (its certificate is written to <out>/ca.pem for the client
to trust). Every message received is written to <out>/<n>.json with its envelope, whether it
came over TLS, and its content, for the tests to read.

    python smtp_sink.py --out DIR      prints "ready on smtp://127.0.0.1:<port> ca <DIR>/ca.pem"
"""
import argparse
import itertools
import json
import os
import socket
import ssl
import threading
import time

import trustme
from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, out):
        self.out = out
        self.count = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            number = next(self.count)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "content": envelope.content.decode("utf-8", "replace"),
        }
        partial = os.path.join(self.out, f".{number}.partial")
        with open(partial, "w") as f:
            json.dump(record, f)
        os.rename(partial, os.path.join(self.out, f"{number}.json"))
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    authority = trustme.CA()
    authority.cert_pem.write_to_path(os.path.join(args.out, "ca.pem"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    port = free_port()
    controller = Controller(Recorder(args.out), hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True)
    controller.start()
    print(f"ready on smtp://127.0.0.1:{port} ca {os.path.join(args.out, 'ca.pem')}", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
