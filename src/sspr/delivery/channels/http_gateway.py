"""A generic HTTP gateway for the many regional text and voice providers: method, URL, headers
and a body template from [sms] or [voice]. {to}, {message}, {language} and {token} are replaced,
each escaped for where it stands, so a message with quotes or an ampersand cannot break (or
inject into) the request. Its keys are declared in http_gateway_settings.py."""

import json
import re
from collections.abc import Callable
from urllib.parse import quote, quote_plus
from xml.sax.saxutils import escape

from ..base import Backend, Setting, url_problems
from ..errors import TransportError
from ..http import request, transient_status

PLACEHOLDER = re.compile(r"\{(to|message|language|token)\}")


class HttpGateway(Backend):
    name = "http"

    @property
    def settings(self) -> tuple[Setting, ...]:
        c = self.channel
        return (
            Setting(f"{c}.url", "the gateway's address; may hold placeholders", required=True),
            Setting(f"{c}.method", "POST, GET or PUT"),
            Setting(f"{c}.headers", "extra request headers; may hold placeholders"),
            Setting(f"{c}.body", "the request body template (not sent with GET)"),
            Setting(f"{c}.token", "a secret for {token}; token_file works too"),
            Setting(f"{c}.timeout", "seconds to wait for the gateway"),
        )

    def problems(self) -> list[str]:
        found = super().problems()
        section, c = self.section, self.channel
        if section.url:
            found += url_problems(f"{c}.url", section.url.replace("{", "").replace("}", ""))
        sent = section.url + " ".join(section.headers.values()) + (section.body if section.method != "GET" else "")
        for needed in ("{to}", "{message}"):
            if needed not in sent:
                found.append(f"{c}.body: {needed} appears nowhere in the url, headers or body")
        if "{token}" in sent and not section.token:
            found.append(f"{c}.token: used as {{token}} but not set")
        if section.method != "GET" and self._kind() == "json":
            try:
                json.loads(_fill(section.body, dict.fromkeys(("to", "message", "language", "token"), "x"), "json"))
            except ValueError:
                found.append(f"{c}.body: not valid JSON once filled in")
        return found

    def _kind(self) -> str:
        content_type = next((v for k, v in self.section.headers.items() if k.lower() == "content-type"), "")
        if not content_type:
            return "json" if self.section.body.lstrip().startswith(("{", "[")) else "text"
        content_type = content_type.lower()
        if "json" in content_type:
            return "json"
        if "x-www-form-urlencoded" in content_type:
            return "form"
        if "xml" in content_type:
            return "xml"
        return "text"

    def send(self, delivery) -> str:
        section = self.section
        values = {"to": delivery.to, "message": delivery.body, "language": delivery.language or "en",
                  "token": section.token}
        url = _fill(section.url, values, "url")
        headers = {name: _fill(value, values, "header") for name, value in section.headers.items()}
        data = None
        if section.method != "GET":
            kind = self._kind()
            data = _fill(section.body, values, kind).encode()
            if not any(name.lower() == "content-type" for name in headers):
                headers["Content-Type"] = {"json": "application/json", "form": "application/x-www-form-urlencoded",
                                           "xml": "application/xml"}.get(kind, "text/plain") + "; charset=utf-8"
        answer = request(section.method, url, data=data, headers=headers, timeout=self.timeout)
        if 200 <= answer.status < 300:
            return _provider_id(answer.body)
        # The gateway's words, minus anything of ours it may echo back.
        said = answer.text[:200].replace(section.token, "•••") if section.token else answer.text[:200]
        reason = f"gateway HTTP {answer.status}: {said}"
        if transient_status(answer.status):
            raise TransportError(reason, permanent=False)
        raise TransportError(reason, permanent=True, misconfigured=answer.status in (401, 403, 404, 405))


ESCAPES: dict[str, Callable[[str], str]] = {
    "json": lambda value: json.dumps(value)[1:-1],
    "form": quote_plus,
    "url": lambda value: quote(value, safe=""),
    "xml": escape,
    # A header value cannot hold a line break: it would start a header of the attacker's choosing.
    "header": lambda value: " ".join(value.splitlines()),
    "text": lambda value: value,
}


def _fill(template: str, values: dict, kind: str) -> str:
    # One pass: a message that itself contains "{token}" must stay text, not become the secret.
    escape_value = ESCAPES[kind]
    return PLACEHOLDER.sub(lambda match: escape_value(values[match[1]]), template)


def _provider_id(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    if isinstance(data, dict):
        for key in ("id", "message_id", "messageId", "sid", "uuid"):
            if key in data:
                return str(data[key])[:100]
    return ""
