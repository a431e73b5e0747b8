"""Google's and Microsoft's APIs as their documentation describes them, served over HTTPS on
loopback with a certificate from a test CA. Our code reaches them through google-auth, MSAL and
requests over real sockets, exactly as it would reach the providers.

Google: the OAuth 2.0 token endpoint for service accounts (RFC 7523's JWT bearer grant: the
assertion's RS256 signature is checked with the service account's public key, and its issuer,
scope, audience, subject and times), and the Admin SDK Directory API's users.update
(PUT /admin/directory/v1/users/{userKey}), which takes a password hash with hashFunction.

Microsoft: Entra ID's OpenID configuration and v2.0 token endpoint (client credentials grant
with a client secret), and Graph's PATCH /v1.0/users/{id} with a passwordProfile.
"""

import base64
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from passlib.hash import sha512_crypt

from tests.delivery.servers import HttpServer, Reply, Request, server_context

ADMIN = "sspr-admin@student.district.example"  # the Google administrator the service account acts as
GOOGLE_AUDIENCE = "https://oauth2.googleapis.com/token"  # what google-auth puts in aud, whatever token_uri is
GOOGLE_SCOPE = "https://www.googleapis.com/auth/admin.directory.user"
SHA512_CRYPT = re.compile(r"^\$6\$(rounds=\d+\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}$")


def google_error(status: int, message: str, reason: str = "") -> Reply:
    """The Directory API's documented error body."""
    return Reply(status, {"error": {"code": status, "message": message,
                                    "errors": [{"message": message, "domain": "global", "reason": reason}]}})


def graph_error(status: int, code: str, message: str, **headers) -> Reply:
    """Microsoft Graph's documented error body."""
    return Reply(status, {"error": {"code": code, "message": message}}, headers=headers)


@dataclass
class ServiceAccount:
    """A service account's key file, as Google's console makes one."""

    email: str = "sspr-sync@district-sspr.iam.gserviceaccount.com"
    key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537,
                                                                                    key_size=2048))

    def key_file(self) -> str:
        pem = self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()).decode()
        return json.dumps({"type": "service_account", "project_id": "district-sspr", "private_key_id": "k1",
                           "private_key": pem, "client_email": self.email, "client_id": "1234567890",
                           "token_uri": GOOGLE_AUDIENCE})

    def public_pem(self) -> bytes:
        return self.key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)


class GoogleServer(HttpServer):
    def __init__(self, certs, account: ServiceAccount, subject: str):
        super().__init__(server_context(certs["server.pem"], certs["server.key"]))
        self.account, self.subject = account, subject
        self.tokens: set[str] = set()
        self.hashes: dict[str, str] = {}  # userKey -> the hash it was last given
        self.must_change: dict[str, bool] = {}
        self.users: set[str] = set()
        self.failures: list[Reply] = []  # the next users.update calls answer these, in order
        self.hang = 0.0  # seconds each users.update waits before answering

    def updates(self) -> list[Request]:
        return [r for r in self.requests if r.method == "PUT"]

    def signs_in(self, user: str, password: str) -> bool:
        """Whether Google would take this password for this user now."""
        return user in self.hashes and sha512_crypt.verify(password, self.hashes[user])

    def answer(self, request: Request) -> Reply:
        if request.path == "/token":
            return self.token(request)
        prefix = "/admin/directory/v1/users/"
        if request.method != "PUT" or not request.path.startswith(prefix):
            return google_error(404, "Not Found")
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
            return google_error(401, "Request had invalid authentication credentials.", "authError")
        if self.hang:
            time.sleep(self.hang)
        if self.failures:
            return self.failures.pop(0)
        user = unquote(request.path[len(prefix):])
        if user not in self.users:
            return google_error(404, "Resource Not Found: userKey", "notFound")
        body = request.json
        if body.get("hashFunction") != "crypt" or not SHA512_CRYPT.match(body.get("password", "")):
            return google_error(400, "Invalid Password", "invalid")
        self.hashes[user] = body["password"]
        self.must_change[user] = body.get("changePasswordAtNextLogin", False)
        return Reply(200, {"kind": "admin#directory#user", "primaryEmail": user})

    def token(self, request: Request) -> Reply:
        form = request.form
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return Reply(400, {"error": "unsupported_grant_type"})
        try:
            claims = jwt.decode(form.get("assertion", ""), self.account.public_pem(), algorithms=["RS256"],
                                audience=GOOGLE_AUDIENCE, options={"require": ["iss", "aud", "exp", "iat"]})
        except jwt.InvalidTokenError as exc:
            return Reply(400, {"error": "invalid_grant", "error_description": f"Invalid JWT Signature. ({exc})"})
        if claims.get("iss") != self.account.email or claims.get("scope") != GOOGLE_SCOPE:
            return Reply(400, {"error": "invalid_scope", "error_description": "Invalid issuer or scope."})
        if claims.get("sub") != self.subject:
            return Reply(401, {"error": "unauthorized_client",
                               "error_description": "Client is unauthorized to retrieve access tokens using this "
                                                    "method, or client not authorized for any of the scopes "
                                                    "requested."})
        token = "ya29." + secrets.token_urlsafe(24)
        self.tokens.add(token)
        return Reply(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"})


class GraphServer(HttpServer):
    TENANT = "district.onmicrosoft.com"
    CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e"
    CLIENT_SECRET = "graph-secret-4c2b0e"

    def __init__(self, certs):
        super().__init__(server_context(certs["server.pem"], certs["server.key"]))
        self.tokens: set[str] = set()
        self.passwords: dict[str, str] = {}
        self.must_change: dict[str, bool] = {}
        self.users: set[str] = set()
        self.failures: list[Reply] = []
        self.certificate: AppCertificate | None = None  # a certificate uploaded to the app registration

    def patches(self) -> list[Request]:
        return [r for r in self.requests if r.method == "PATCH"]

    def answer(self, request: Request) -> Reply:
        base = f"/{self.TENANT}"
        if request.method == "GET" and request.path == base + "/v2.0/.well-known/openid-configuration":
            return Reply(200, {"issuer": f"{self.url}/{self.TENANT}/v2.0",
                               "authorization_endpoint": f"{self.url}{base}/oauth2/v2.0/authorize",
                               "token_endpoint": f"{self.url}{base}/oauth2/v2.0/token",
                               "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"]})
        if request.method == "POST" and request.path == base + "/oauth2/v2.0/token":
            return self.token(request)
        prefix = "/v1.0/users/"
        if request.method != "PATCH" or not request.path.startswith(prefix):
            return graph_error(404, "Request_ResourceNotFound", "Not found.")
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
            return graph_error(401, "InvalidAuthenticationToken", "Access token validation failure.")
        if self.failures:
            return self.failures.pop(0)
        user = unquote(request.path[len(prefix):])
        if user not in self.users:
            return graph_error(404, "Request_ResourceNotFound",
                               f"Resource '{user}' does not exist or one of its queried reference-property objects "
                               f"are not present.")
        profile = request.json.get("passwordProfile", {})
        if set(request.json) != {"passwordProfile"} or not isinstance(profile.get("password"), str):
            return graph_error(400, "Request_BadRequest", "Invalid value specified for property 'passwordProfile'.")
        self.passwords[user] = profile["password"]
        self.must_change[user] = profile.get("forceChangePasswordNextSignIn", True)
        return Reply(204, "")

    def token(self, request: Request) -> Reply:
        form = request.form
        if form.get("grant_type") != "client_credentials":
            return Reply(400, {"error": "unsupported_grant_type"})
        if form.get("client_id") != self.CLIENT_ID:
            return Reply(400, {"error": "unauthorized_client", "error_description": "AADSTS700016: not found."})
        if "client_assertion" in form:
            if not self.assertion_holds(form):
                return Reply(401, {"error": "invalid_client",
                                   "error_description": "AADSTS700027: Client assertion contains an invalid "
                                                        "signature."})
        elif form.get("client_secret") != self.CLIENT_SECRET:
            return Reply(401, {"error": "invalid_client",
                               "error_description": "AADSTS7000215: Invalid client secret provided."})
        if form.get("scope", "").split() != [f"{self.url}/.default"]:
            return Reply(400, {"error": "invalid_scope", "error_description": "AADSTS70011: invalid scope."})
        token = "eyJ0eXAi." + secrets.token_urlsafe(24)
        self.tokens.add(token)
        return Reply(200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                           "access_token": token})

    def assertion_holds(self, form: dict) -> bool:
        """A certificate credential (RFC 7523 client assertion): signed by the uploaded certificate's
        key, naming it by thumbprint (x5t), for this token endpoint, by the app itself."""
        if self.certificate is None or form.get("client_assertion_type") != \
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            return False
        assertion = form["client_assertion"]
        try:
            header = jwt.get_unverified_header(assertion)
            claims = jwt.decode(assertion, self.certificate.public_pem(), algorithms=["RS256", "PS256"],
                                audience=f"{self.url}/{self.TENANT}/oauth2/v2.0/token", issuer=self.CLIENT_ID,
                                options={"require": ["exp", "aud", "iss", "sub", "jti"]})
        except jwt.InvalidTokenError:
            return False
        # MSAL keeps base64url padding in x5t (RFC 7515 omits it); Entra ID takes either.
        return str(header.get("x5t", "")).rstrip("=") == self.certificate.x5t() and claims["sub"] == self.CLIENT_ID


@dataclass
class AppCertificate:
    """A self-signed certificate and its key, as uploaded to an Entra ID app registration."""

    key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537,
                                                                                    key_size=2048))

    def __post_init__(self):
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sspr-sync")])
        now = datetime.now(UTC)
        self.cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(self.key.public_key())
                     .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
                     .not_valid_after(now + timedelta(days=30)).sign(self.key, hashes.SHA256()))

    def private_pem(self) -> str:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()).decode()

    def public_pem(self) -> bytes:
        return self.key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)

    def thumbprint(self) -> str:
        return self.cert.fingerprint(hashes.SHA1()).hex().upper()

    def x5t(self) -> str:
        return base64.urlsafe_b64encode(self.cert.fingerprint(hashes.SHA1())).decode().rstrip("=")
