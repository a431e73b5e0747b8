"""One HTTP request to a provider, with a deadline, classified the way the queue needs it.

The standard library is enough here: one POST (or GET) per message, no sessions, no streaming.
Redirects are not followed: a provider API that redirects a POST is misconfigured, and following
it would resend credentials somewhere we did not choose.
"""

import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass

from .errors import TransportError

MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(
    _NoRedirect, urllib.request.HTTPSHandler(context=ssl.create_default_context())
)


def request(method: str, url: str, *, data: bytes | None = None, headers: dict | None = None,
            timeout: float) -> Response:
    """Any HTTP answer comes back as a Response (4xx and 5xx included); a network failure or a
    timeout raises a transient TransportError."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with _opener.open(req, timeout=timeout) as answer:
            return Response(answer.status, answer.read(MAX_BODY))
    except urllib.error.HTTPError as exc:
        with exc:
            return Response(exc.code, exc.read(MAX_BODY))
    except ssl.SSLCertVerificationError as exc:
        raise TransportError(f"TLS certificate not trusted: {exc.verify_message}", permanent=True,
                             misconfigured=True) from None
    except TimeoutError:
        raise TransportError(f"no answer within {timeout:g} s", permanent=False) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ssl.SSLCertVerificationError):
            raise TransportError(f"TLS certificate not trusted: {reason.verify_message}", permanent=True,
                                 misconfigured=True) from None
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise TransportError(f"no answer within {timeout:g} s", permanent=False) from None
        raise TransportError(f"cannot reach the provider: {reason}", permanent=False) from None
    except OSError as exc:  # connection reset half-way, and the like
        raise TransportError(f"cannot reach the provider: {exc}", permanent=False) from None


def transient_status(status: int) -> bool:
    """Worth another try: the provider is down or busy, or asked us to slow down."""
    return status >= 500 or status in (408, 425, 429)
