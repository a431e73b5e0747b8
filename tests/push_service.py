"""A local Web Push service, as the browsers' own (FCM, Mozilla's autopush, Apple's) behave at
their HTTP boundary: RFC 8030 over TLS (a test CA), a message is POSTed to the subscription's
endpoint with a TTL, `Content-Encoding: aes128gcm` and a VAPID `Authorization` header (RFC 8292)
whose JWT must verify under the key it names, be for this origin and not expire too far ahead;
the body is decrypted with the subscription's own private key and auth secret (RFC 8291), as
the browser would, by http_ece. A subscription it has forgotten answers 410 Gone."""

import json
import os
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import jwt

from sspr.methods.webpush import b64url


@dataclass
class Subscription:
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    def as_browser_gives_it(self) -> dict:
        public = self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                            serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "expirationTime": None,
                "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)}}


@dataclass
class Delivered:
    subscription: str
    payload: dict
    ttl: int
    urgency: str
    claims: dict
    vapid_key: str


@dataclass
class Refused:
    path: str
    why: str


@dataclass
class PushService:
    cert: str
    key: str
    delivered: list[Delivered] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    subscriptions: dict[str, Subscription] = field(default_factory=dict)

    def start(self) -> "PushService":
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, why = outer.receive(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                if why:
                    outer.refused.append(Refused(self.path, why))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                if status == 201:
                    self.send_header("Location", f"{self.path}/message/{len(outer.delivered)}")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.server.daemon_threads = True
        self.origin = f"https://localhost:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def subscribe(self) -> Subscription:
        """What a browser's pushManager.subscribe() would give the page."""
        name = b64url(os.urandom(12))
        subscription = Subscription(f"{self.origin}/push/{name}", ec.generate_private_key(ec.SECP256R1()),
                                    os.urandom(16))
        self.subscriptions[f"/push/{name}"] = subscription
        return subscription

    def forget(self, subscription: Subscription) -> None:
        """The browser unsubscribed (the app was removed): its endpoint is gone."""
        self.subscriptions.pop(subscription.endpoint.removeprefix(self.origin), None)

    def receive(self, path: str, headers: dict, body: bytes) -> tuple[int, str]:
        subscription = self.subscriptions.get(path)
        if subscription is None:
            return 410, "no such subscription"
        if "ttl" not in headers or not headers["ttl"].isdigit():
            return 400, "no TTL"  # RFC 8030 section 5.2: TTL is required
        if headers.get("content-encoding") != "aes128gcm":
            return 415, "not aes128gcm"
        scheme, _, params = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "vapid":
            return 401, "no VAPID authorization"
        parts = dict(p.strip().split("=", 1) for p in params.split(",") if "=" in p)
        try:
            claims = jwt.decode(parts["t"], parts["k"])
        except Exception as exc:  # any failure is a refusal, as a real service answers
            return 401, f"VAPID JWT does not verify: {exc!r}"
        if claims.get("aud") != self.origin:
            return 403, f"VAPID aud {claims.get('aud')!r} is not {self.origin}"
        if not 0 < claims.get("exp", 0) - time.time() <= 24 * 3600:
            return 403, "VAPID exp missing or more than 24 hours ahead"
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            return 403, "VAPID sub is not mailto: or https:"
        try:
            plain = http_ece.decrypt(body, private_key=subscription.private_key, auth_secret=subscription.auth,
                                     version="aes128gcm")
        except Exception as exc:
            return 400, f"cannot decrypt: {exc!r}"
        self.delivered.append(Delivered(path, json.loads(plain), int(headers["ttl"]), headers.get("urgency", ""),
                                        claims, parts["k"]))
        return 201, ""
