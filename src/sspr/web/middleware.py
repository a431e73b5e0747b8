import ipaddress
import time
from functools import cached_property

from django.conf import settings
from django.utils.cache import add_never_cache_headers

from sspr.actors import in_networks
from sspr.web import outages


class ClientIPMiddleware:
    """Set request.client_ip: the peer's address, or the client named in X-Forwarded-For when
    (and only when) the peer is a configured trusted proxy. The header is read right to left,
    skipping our own proxies, because everything left of them is whatever the client typed.
    From an untrusted peer, X-Forwarded-* headers are dropped so nothing downstream trusts them."""

    FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST")

    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def trusted(self):
        return [ipaddress.ip_network(entry, strict=False) for entry in settings.TRUSTED_PROXIES]

    def is_trusted(self, address) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)

    def client_ip(self, request) -> str | None:
        peer = request.META.get("REMOTE_ADDR") or None
        if not self.is_trusted(peer):
            dropped = [request.META.pop(header, None) for header in self.FORWARDED_HEADERS]
            # A proxy we do not trust forwarded this for someone whose address we cannot know.
            request.forwarded_by_untrusted_peer = any(dropped)
            return peer
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        for hop in reversed(hops):
            if not self.is_trusted(hop):
                try:
                    return str(ipaddress.ip_address(hop))
                except ValueError:
                    return peer  # a malformed hop: fall back to what we know
        return peer

    def __call__(self, request):
        request.client_ip = self.client_ip(request)
        return self.get_response(request)


class NoStoreMiddleware:
    """No page of ours may be kept by a browser or proxy cache: most show account data, and a
    shared school computer's back button must not reveal the previous student's page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            add_never_cache_headers(response)
        return response


class SameOriginFormsMiddleware:
    """Let Django's CSRF origin check work under Referrer-Policy: no-referrer.

    With that policy browsers send "Origin: null" (and no Referer) even when our own page posts
    to us, which Django's CsrfViewMiddleware refuses. When the browser's Sec-Fetch-Site says
    "same-origin", the request came from one of our pages. Browsers that send no Fetch Metadata
    (older ones, or any browser on a plain-http demo address) are let through to the token check:
    the CSRF and session cookies are SameSite=Lax, so a cross-site form never carries them and the
    token check fails. A request the browser marks as cross-site or same-site is never vouched for.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        if meta.get("HTTP_ORIGIN") == "null" and meta.get("HTTP_SEC_FETCH_SITE", "same-origin") == "same-origin":
            meta["HTTP_ORIGIN"] = f"{request.scheme}://{request.get_host()}"
        return self.get_response(request)


class UnavailableMiddleware:
    """Any page that needs the directory, the database or the rate limits while one cannot be
    reached says "try again later" with status 503 (sspr.web.outages; the API answers the same
    through its own exception handlers), instead of an error page. The limits fail closed: a
    limit that cannot be checked would otherwise be no limit at all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return outages.unavailable(request, exception) if isinstance(exception, outages.OUTAGES) else None


ADMIN_PREFIX = "/admin"  # where sspr.urls puts the admin
OUTSIDE_URLCONF = "sspr.public_urls"  # every address but the admin's


class AdminNetworksMiddleware:
    """To a client outside admin.allowed_networks (request.client_ip: a trusted proxy's
    X-Forwarded-For counts, anyone else's does not), the admin does not exist: its addresses are
    resolved without it, so every one answers the same "not found" as any unknown address (no
    redirect from /admin to /admin/ either). The operators' sign-in is not there to be guessed at."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if (path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")) and not self.inside(request):
            request.urlconf = OUTSIDE_URLCONF
        return self.get_response(request)

    @staticmethod
    def inside(request) -> bool:
        if getattr(request, "forwarded_by_untrusted_peer", False):
            # A reverse proxy missing from server.trusted_proxies: its own (often loopback) address
            # says nothing about the client's, so the client counts as outside.
            return False
        return in_networks(getattr(request, "client_ip", None), settings.CONFIG.admin.allowed_networks)


class SessionLifetimeMiddleware:
    """End a session idle for server.session_idle_minutes, or older than server.session_hours,
    whatever it holds (a sign-in, a reset in progress). Django's own expiry is renewed by every
    write, so it is no bound on its own."""

    STARTED, SEEN = "_sspr_started", "_sspr_seen"
    TOUCH_SECONDS = 60  # last activity is written at most once a minute, not on every request

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session, now = request.session, time.time()
        config = settings.CONFIG.server
        started, seen = session.get(self.STARTED), session.get(self.SEEN, 0)
        if started is not None and (now - seen > config.session_idle_minutes * 60
                                    or now - started > config.session_hours * 3600):
            session.flush()
        response = self.get_response(request)
        if session.is_empty():
            return response
        if session.get(self.STARTED) is None or session.get(self.SEEN) is None:  # new, or flushed on the way
            session[self.STARTED] = session[self.SEEN] = now
        elif now - session[self.SEEN] > self.TOUCH_SECONDS:
            session[self.SEEN] = now
        return response
