"""The typed configuration schema: every key an operator may set, with its default.

Field names are a public interface (operators automate against them): rename nothing.
docs/configuration.md lists the same keys; tests/test_docs.py checks the two agree.
A key typed `Secret` may also be given as `<key>_file`; sspr.config finds them by that type.
"""

import ipaddress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from sspr.delivery.channels import BACKENDS
from sspr.delivery.channels.email_to_sms_settings import EmailToSmsSettings
from sspr.delivery.channels.http_gateway_settings import HttpGatewaySettings
from sspr.delivery.channels.smtp_settings import SmtpSettings
from sspr.delivery.channels.twilio_settings import TwilioSettings
from sspr.directory.embedded.settings import EmbeddedSettings
from sspr.directory.ldap.settings import LdapSettings
from sspr.methods.kinds import KINDS
from sspr.sync import TARGETS
from sspr.sync.settings import GoogleSettings, MicrosoftSettings, TargetSettings

from .base import Secret, Section

PLACEHOLDER_SECRET = "change-me"


Language = Literal["en", "es"]


def _a_time_zone(name: str) -> str:
    if name:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise PydanticCustomError("time_zone", "not a time zone name such as America/Chicago") from exc
    return name


TimeZone = Annotated[str, AfterValidator(_a_time_zone)]


class Server(Section):
    base_url: str = "http://127.0.0.1:8000"
    secret_key: Secret = ""
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(2, ge=1, le=64)
    trusted_proxies: list[str] = []
    debug: bool = False
    demo: bool = False
    time_zone: TimeZone = Field("UTC", min_length=1)
    language: Language = "en"
    # A session ends after this many minutes without a request (a shared Chromebook left signed
    # in), and after this many hours whatever happens.
    session_idle_minutes: int = Field(30, ge=1, le=24 * 60)
    session_hours: int = Field(8, ge=1, le=24 * 7)
    # The organisation's country (ISO 3166 code): phone numbers written without a country code are
    # read as this country's, and by default texts and calls go only to this country's numbers.
    country: str = Field("US", pattern=r"^[A-Z]{2}$")


class Database(Section):
    url: Secret = "sqlite:///var/sspr.sqlite3"


class Directory(Section, EmbeddedSettings, LdapSettings):
    """[directory]: the keys every back-end shares, declared here, and each back-end's own keys,
    declared by the back-end's settings model and composed in (docs/architecture.md). A key of a
    back-end other than directory.backend is refused unless it keeps its default."""

    backend: Literal["embedded", "ldap", "ad"] = "embedded"
    # User-ID domains, e.g. ["district.example", "student.district.example"]. A bare name
    # gets the only domain appended, or is refused with the list when there are several.
    domains: list[str] = []


class Passwords(Section):
    # argon2id for the embedded directory; never below OWASP's minimum (19 MiB, t=2, p=1).
    argon2_memory_kib: int = Field(19456, ge=19456)
    argon2_time_cost: int = Field(2, ge=2)
    argon2_parallelism: int = Field(1, ge=1)


CharacterClass = Literal["lowercase", "uppercase", "digit", "symbol"]


class PolicyRules(Section):
    """The rules a new password must meet. [password_policy] sets them for everyone, and
    [password_policy.groups.<group>] changes some of them for members of that group."""

    min_length: int = Field(15, ge=8, le=128)
    # Never truncated; the limit only stops absurd input (hashing cost), and is at least 128.
    max_length: int = Field(256, ge=128, le=1024)
    # No composition rules by default: a lowercase sentence is a fine passphrase.
    required_classes: list[CharacterClass] = []
    # zxcvbn score, 0 (too guessable) to 4 (very unguessable).
    min_strength: int = Field(3, ge=0, le=4)
    # How many previous passwords may not be reused (embedded directory; LDAP and AD keep their own).
    history: int = Field(5, ge=0, le=24)
    # Words a password may not contain, besides the user's own names and ID: school names,
    # mascots, the district's short name.
    context_words: list[str] = []


class PolicyOverride(Section):
    min_length: int | None = Field(None, ge=8, le=128)
    max_length: int | None = Field(None, ge=128, le=1024)
    required_classes: list[CharacterClass] | None = None
    min_strength: int | None = Field(None, ge=0, le=4)
    history: int | None = Field(None, ge=0, le=24)
    context_words: list[str] | None = None


class PasswordPolicy(PolicyRules):
    # The first group listed here that a user belongs to decides their overrides.
    groups: dict[str, PolicyOverride] = {}
    # Offline breached-password filter built by `sspr breached build`; empty to switch off.
    breached_filter: str = ""
    # Pwned Passwords range API (k-anonymity: only 5 hex characters of the SHA-1 leave us).
    breached_online_url: str = ""
    breached_online_timeout: float = Field(3.0, gt=0, le=30)
    # When the online check cannot answer: "open" accepts the password (the offline filter
    # still applies), "closed" refuses it and asks the user to try again later.
    breached_online_failure: Literal["open", "closed"] = "open"
    # Example passphrases printed in your own guides, posters or emails: a password may not be or
    # contain one. The portal's own example is always refused.
    example_passphrases: list[str] = []


# The names of the verification kinds' registry (plain data, read before Django starts). A type
# checker cannot read a registry's keys, so to it they are strings; pydantic checks the real names.
if TYPE_CHECKING:
    MethodKind = str
else:
    MethodKind = Literal[tuple(KINDS)]


class MethodRules(Section):
    """Which verification methods people use. [methods] for everyone; [methods.groups.<group>]
    changes some of these for members of that group (the first group listed that matches)."""

    allowed: list[MethodKind] = list(KINDS)
    # How many methods must be registered before "finish", and how many a reset asks for.
    required: int = Field(2, ge=1, le=5)
    # Remember a device after the second step for this many days; 0 never offers it.
    remember_device_days: int = Field(5, ge=0, le=90)
    # Verification steps a password reset or unlock asks for: 2 different methods, or 1.
    reset_steps: int = Field(2, ge=1, le=2)


class MethodOverride(Section):
    allowed: list[MethodKind] | None = None
    required: int | None = Field(None, ge=1, le=5)
    remember_device_days: int | None = Field(None, ge=0, le=90)
    reset_steps: int | None = Field(None, ge=1, le=2)


class Methods(MethodRules):
    groups: dict[str, MethodOverride] = {}
    # Interrupt sign-in for people with fewer than `required` methods, to register them;
    # they may skip it this many times (0: they must register before going on).
    require_registration: bool = True
    registration_skips: int = Field(3, ge=0)
    # Ask "Are your verification methods current?" after this many days; 0 never asks.
    reconfirm_days: int = Field(180, ge=0)
    # Shared computers (labs, carts of Chromebooks): never offer "don't ask again" from these
    # networks (addresses or CIDR ranges).
    shared_device_networks: list[str] = []
    questions_to_register: int = Field(3, ge=1, le=10)
    questions_at_reset: int = Field(3, ge=1, le=10)
    answer_min_length: int = Field(3, ge=1)
    # One-time codes sent by text, call or email.
    code_digits: int = Field(6, ge=6, le=10)
    code_minutes: int = Field(10, ge=1, le=10)
    code_attempts: int = Field(5, ge=1, le=10)
    # Per account: codes sent and failed verifications within a window, then a cool-down.
    sends_per_account: int = Field(5, ge=1)
    sends_per_ip: int = Field(50, ge=1)
    send_window_minutes: int = Field(10, ge=1)
    failures_per_account: int = Field(10, ge=1)
    failure_cooldown_minutes: int = Field(30, ge=1)


class Reset(Section):
    """Forgotten-password reset and account unlock."""

    # "image" (with an audio alternative), "pow" (a proof of work the browser solves), or "off"
    # (behind other bot protection, and in automated test environments; warned about).
    captcha: Literal["image", "pow", "off"] = "image"
    # A CAPTCHA is answered once (right or wrong) within this many minutes of being shown.
    captcha_minutes: int = Field(10, ge=1, le=60)
    # "pow": leading zero bits the browser's SHA-256 must find (2^bits tries on average).
    pow_difficulty: int = Field(18, ge=8, le=26)
    # The whole flow, from "Who are you?" to the new password.
    flow_minutes: int = Field(15, ge=5, le=60)
    # Resets started for one user ID in 24 hours (Entra's default: 5), and from one address per hour.
    # Failed verifications in the resets of one user ID in 24 hours (not starts); starts per address.
    resets_per_day: int = Field(5, ge=1)
    resets_per_ip_per_hour: int = Field(50, ge=1)
    # Members of these groups always prove two different methods.
    admin_groups: list[str] = ["Administrators"]
    # Tell an enabled user ID without enough security info so, instead of showing stand-ins
    # (this tells anyone which user IDs exist and have not registered).
    explain_unregistered: bool = False



LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
              ".webp": "image/webp", ".gif": "image/gif"}
LOGO_MAX_BYTES = 512 * 1024
LOGO_SCHEMES = ("https://", "http://", "data:image/")


def _a_logo(value: str) -> str:
    """A URL the page can point at, or a readable image file the portal serves itself."""
    if not value or value.startswith(LOGO_SCHEMES):
        return value
    path = Path(value)
    if path.suffix.lower() not in LOGO_TYPES:
        raise PydanticCustomError("logo", "a logo file must end in one of {types}", {"types": ", ".join(LOGO_TYPES)})
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PydanticCustomError("logo", "cannot read {path}: {reason}",
                                  {"path": value, "reason": exc.strerror or str(exc)}) from exc
    if size > LOGO_MAX_BYTES:
        raise PydanticCustomError("logo", "the logo file is larger than {limit} KB", {"limit": LOGO_MAX_BYTES // 1024})
    return value


class Branding(Section):
    org_name: str = "OpenSSPR"
    # One sentence for every language, or one per language ({ en = "...", es = "..." }). Empty, or
    # no entry for a language: "Contact your help desk." in the page's language.
    helpdesk_text: str | dict[Language, str] = ""
    helpdesk_phone: str = ""
    helpdesk_url: str = ""
    # The logo beside the organisation's name: an https:// (or data:image/) URL, or the path of an
    # image file the portal reads at start-up and serves itself.
    logo: Annotated[str, AfterValidator(_a_logo)] = ""
    logo_url: str = ""  # the older name for a logo given by URL; `logo` wins when both are set
    primary_color: str = Field("#1b4f8a", pattern=r"^#[0-9a-fA-F]{6}$")
    # The organisation's time zone (see Config.time_zone); empty: server.time_zone.
    time_zone: TimeZone = ""

    def helpdesk_text_in(self, language: str) -> str:
        """The operator's help-desk sentence for a language; "" when they gave none for it."""
        if isinstance(self.helpdesk_text, str):
            return self.helpdesk_text
        return self.helpdesk_text.get(language.split("-")[0], "")  # type: ignore[call-overload]

    def helpdesk_texts(self) -> list[str]:
        """Every sentence the operator gave, whatever its language."""
        return [self.helpdesk_text] if isinstance(self.helpdesk_text, str) else list(self.helpdesk_text.values())

    @property
    def logo_file(self) -> str:
        """The path of a logo the portal serves itself, or ""."""
        return self.logo if self.logo and not self.logo.startswith(LOGO_SCHEMES) else ""

    @property
    def logo_address(self) -> str:
        """Where a page finds the logo: the operator's URL, the portal's own copy of a file, or ""."""
        if self.logo_file:
            return "/branding/logo" + Path(self.logo_file).suffix.lower()
        return self.logo or self.logo_url


class Limits(Section):
    # Where the sliding logs of every rate limit are kept, shared by all worker processes:
    # "database" for one instance, "redis" (limits.redis_url) for several.
    backend: Literal["database", "redis"] = "database"
    # redis://[:password@]host:port/db, or rediss:// for TLS; may hold a password.
    redis_url: Secret = ""
    # Seconds to wait for Redis before a request is answered "try again later".
    redis_timeout: float = Field(2.0, gt=0, le=30)
    # A whole school often shares one public address: keep per-IP limits generous and let the
    # per-account lockout (directory.lockout_threshold) stop guessing at one account.
    signin_failures_per_ip: int = Field(100, ge=1)
    signin_window_minutes: int = Field(15, ge=1)
    # The district's own networks (addresses or CIDR ranges, e.g. the schools' public addresses):
    # a larger budget of failed sign-ins per address there.
    trusted_networks: list[str] = []
    trusted_signin_failures_per_ip: int = Field(1000, ge=1)

    @model_validator(mode="after")
    def _redis_needs_an_address(self) -> "Limits":
        if self.backend != "redis":
            return self
        if not self.redis_url:
            raise PydanticCustomError("redis_url", 'redis_url is required when backend = "redis"')
        if not self.redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise PydanticCustomError("redis_url", "redis_url must start with redis://, rediss:// or unix://")
        return self


# The back-ends each channel may name: "none" (the channel is off) and those of the registry, so
# a back-end added there is accepted here without a second list to keep in step (strings to a
# type checker, as MethodKind).
if TYPE_CHECKING:
    EmailBackend = str
    SmsBackend = str
    VoiceBackend = str
else:
    EmailBackend = Literal[("none", *BACKENDS["email"])]
    SmsBackend = Literal[("none", *BACKENDS["sms"])]
    VoiceBackend = Literal[("none", *BACKENDS["voice"])]


class Delivery(Section):
    """Sending codes and notifications: what all channels share."""

    # Who is told by email when a spending cap stops texts or calls, or a provider rejects our setup.
    admin_emails: list[str] = []
    # Tries per message; only a transient failure (timeout, provider down) is tried again.
    max_attempts: int = Field(5, ge=1, le=20)
    # Notices: wait before the first retry; each further retry waits four times longer, at most an hour.
    retry_delay_seconds: int = Field(30, ge=1, le=3600)
    # Codes (someone is waiting on the page): the waits before each retry, in order; a code gets
    # one try more than there are waits, and none after it expires.
    code_retry_seconds: list[Annotated[int, Field(ge=1, le=600)]] = Field([2, 5, 15, 30], min_length=1, max_length=10)


class ChannelLimits(Section):
    # Sliding windows of limit_window_minutes (sspr.limits).
    limit_per_destination: int = Field(5, ge=1)
    limit_per_account: int = Field(10, ge=1)
    limit_per_ip: int = Field(30, ge=1)
    limit_window_minutes: int = Field(60, ge=1)


class Email(SmtpSettings, ChannelLimits):
    backend: EmailBackend = "none"
    limit_per_destination: int = Field(10, ge=1)
    limit_per_account: int = Field(20, ge=1)
    limit_per_ip: int = Field(100, ge=1)


class Telephony(ChannelLimits):
    """What texts and calls share, whichever back-end carries them."""

    # Seconds to wait for the provider (Twilio or an HTTP gateway).
    timeout: float = Field(10.0, gt=0, le=60)
    # Toll-fraud defences. Empty: only server.country. ISO 3166 codes, e.g. ["US", "CA"].
    allowed_countries: list[str] = []
    limit_per_prefix: int = Field(10, ge=1)
    # Estimated cost of one message in any currency; sends stop for the day once the day's
    # estimated spending would pass the cap (0: no cap), and admin_emails are told.
    cost_per_message: float = Field(0.01, ge=0)
    daily_spending_cap: float = Field(10.0, ge=0)


def _fallback_differs(backend: str, fallback: str) -> None:
    if fallback != "none" and fallback == backend:
        raise PydanticCustomError("fallback", "fallback must name another back-end than backend")
    if fallback != "none" and backend == "none":
        raise PydanticCustomError("fallback", "fallback needs a backend first")


class Sms(Telephony, HttpGatewaySettings, EmailToSmsSettings):
    backend: SmsBackend = "none"
    # A second provider that takes over at once when the first fails transiently (down, busy,
    # slow): "twilio" first and "http" second, say. Its keys are those of its own back-end.
    fallback: SmsBackend = "none"

    @model_validator(mode="after")
    def _fallback_is_another(self) -> "Sms":
        _fallback_differs(self.backend, self.fallback)
        return self


class Voice(Telephony, HttpGatewaySettings):
    backend: VoiceBackend = "none"
    fallback: VoiceBackend = "none"  # as sms.fallback

    @model_validator(mode="after")
    def _fallback_is_another(self) -> "Voice":
        _fallback_differs(self.backend, self.fallback)
        return self
    limit_per_destination: int = Field(3, ge=1)
    limit_per_account: int = Field(5, ge=1)
    limit_per_ip: int = Field(20, ge=1)
    limit_per_prefix: int = Field(6, ge=1)
    cost_per_message: float = Field(0.03, ge=0)


class Roles(Section):
    """[roles]: which directory groups give which rights in the console (lists of group names).
    Someone in several gets the highest; docs/architecture.md ("The console") has the ranks."""

    admin: list[str] = []
    helpdesk: list[str] = []
    # Scoped to the operator's own school: the directory's department attribute.
    school_helpdesk: list[str] = []
    # Scoped to the students of the teacher's own classes (`sspr roster import`).
    teacher: list[str] = []
    # Reads reports and the audit trail; acts on nobody.
    auditor: list[str] = []


class ConsoleActions(Section):
    """Actions (resets, unlocks, passes, clearing security info...) one operator may take in an
    hour, by role; the first refusal in an hour is emailed to delivery.admin_emails."""

    admin: int = Field(200, ge=1)
    helpdesk: int = Field(30, ge=1)
    school_helpdesk: int = Field(30, ge=1)
    teacher: int = Field(10, ge=1)


class Console(Section):
    """The help-desk and teachers' console (/console/)."""

    # The second-step kinds that open the console: the sign-in's second step, or a step proved on
    # /console/verify/. Add "phone" to let staff use a text or call (weaker: numbers can be ported).
    second_step: list[MethodKind] = ["totp", "passkey"]
    actions_per_hour: ConsoleActions = ConsoleActions()
    # Searches of the directory per operator and hour (stops a console session from copying it).
    searches_per_hour: int = Field(300, ge=1)
    # A caller verified by a code stays verified in the technician's session for this long.
    verified_minutes: int = Field(15, ge=1, le=120)
    # Temporary Access Pass: how many sign-ins it allows, and for how long.
    pass_uses: int = Field(1, ge=1, le=10)
    pass_hours: int = Field(8, ge=1, le=24 * 30)


class Api(Section):
    """The API (/api/v1/) for help-desk tools, rostering scripts and monitoring (docs/api.md)."""

    enabled: bool = True
    # Calls one API key may make in a minute, whatever they are; the console's own hourly limits
    # on actions and searches apply to a key as well, by its role.
    requests_per_minute: int = Field(120, ge=1, le=100_000)


def _known_sync_target(name: str) -> str:
    # Checked against the registry when the file is read, not frozen into a Literal at import.
    if name not in TARGETS:
        raise PydanticCustomError("unknown_sync_target", "'{name}' is not a sync target (valid: {valid})",
                                  {"name": name, "valid": ", ".join(sorted(TARGETS))})
    return name


class SecondDirectory(Directory, TargetSettings):
    """[sync.directory]: a second LDAP or Active Directory that gets each new password, with every
    key [directory] has for its back-end, and how a user ID maps to the account there."""

    backend: Literal["ldap", "ad"] = "ldap"
    # What people call it, in the sentences they are shown ("" says "Your other directory account").
    label: str = ""


class Sync(Section):
    """Password sync: other systems that get each new password (sspr.sync, docs/sync.md)."""

    # In order, after the directory: "google", "microsoft", "directory".
    targets: list[Annotated[str, AfterValidator(_known_sync_target)]] = []
    # A target's transient failure is tried again after this many seconds, four times longer
    # each time (at most an hour, or longer if the target asks), until give_up_hours have passed.
    retry_delay_seconds: int = Field(60, ge=1, le=3600)
    give_up_hours: int = Field(24, ge=1, le=24)
    google: GoogleSettings = GoogleSettings()
    microsoft: MicrosoftSettings = MicrosoftSettings()
    directory: SecondDirectory = SecondDirectory()

    @model_validator(mode="after")
    def _no_duplicates(self):
        if len(set(self.targets)) != len(self.targets):
            raise PydanticCustomError("duplicate_sync_target", "a target is listed twice", {})
        return self


def _network(entry: str) -> str:
    try:
        ipaddress.ip_network(entry, strict=False)
    except ValueError:
        raise PydanticCustomError("network", "'{entry}' is not an IP address or CIDR range",
                                  {"entry": entry}) from None
    return entry


Network = Annotated[str, AfterValidator(_network)]


class Admin(Section):
    """The operators' admin pages (/admin/): who may reach them, and how hard they are to guess at."""

    # Clients outside these networks get "not found" for every /admin/ address. Loopback and the
    # private ranges by default; [] closes the admin to everyone.
    allowed_networks: list[Network] = ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12",
                                       "192.168.0.0/16", "fc00::/7"]
    # Passwords and codes tried from one address within the window, right or wrong; more are refused
    # without being tested.
    signin_attempts_per_ip: int = Field(20, ge=1)
    # Wrong passwords or codes for one operator user ID within the window that lock its sign-in
    # for lockout_minutes, the right password included.
    lockout_threshold: int = Field(5, ge=1)
    signin_window_minutes: int = Field(15, ge=1)
    lockout_minutes: int = Field(15, ge=1)


class Push(Section):
    """Approving sign-ins on the portal's own authenticator app (the "push" method,
    docs/push-approval.md)."""

    # The VAPID key (RFC 8292) that signs every Web Push message: a P-256 private key, PEM or the
    # base64url raw key `vapid --gen` prints. Empty: phones hear of a request only while the app is
    # open and asking (`sspr check` warns); in demo mode a key is derived from server.secret_key.
    vapid_private_key: Secret = ""
    # Who push services contact about our messages: "mailto:..." or an https URL; empty: the
    # first of delivery.admin_emails, else server.base_url.
    vapid_subject: str = ""
    # How long a request waits for its answer on the phone; a later answer is refused.
    request_seconds: int = Field(60, ge=30, le=300)
    # Requests one person may have waiting at once; another sign-in waits for one to end.
    pending_per_person: int = Field(3, ge=1, le=10)
    # "No, it's not me" this many times within denial_window_minutes stops new requests for the
    # person until the window has passed (their other methods still work).
    denials_before_cooldown: int = Field(2, ge=1, le=10)
    denial_window_minutes: int = Field(30, ge=1)
    # Seconds to wait for a push service before giving up on one message (the app also asks).
    push_timeout: float = Field(5.0, gt=0, le=30)
    # A MaxMind-format database (GeoLite2 or GeoIP2 City or Country, .mmdb) to tell the phone the
    # approximate place of the sign-in ("Springfield, United States"); empty: no place is shown.
    geoip_database: str = ""


class Reports(Section):
    """The console's reports (/console/reports/)."""

    # What one help-desk call costs the district, to estimate the saving of resets and unlocks people
    # did themselves; 0 hides the estimate.
    cost_per_call: float = Field(0.0, ge=0)


def _quiet_hours(value: str) -> str:
    """"HH:MM-HH:MM" in server.time_zone (the end may be earlier: overnight), or "" for none."""
    if not value:
        return value
    start, dash, end = value.partition("-")
    for part in (start, end):
        hours, colon, minutes = part.strip().partition(":")
        if not (dash and colon and hours.isdigit() and minutes.isdigit() and len(minutes) == 2
                and int(hours) < 24 and int(minutes) < 60):
            raise PydanticCustomError("quiet_hours", 'quiet hours are "HH:MM-HH:MM", for example "20:00-07:00"')
    return value


class Reminders(Section):
    """Reminders the worker sends once a day, at its first round outside the quiet hours."""

    # Days between reminders to people who have not registered the methods their groups require
    # (an email to the organisation address with a link to security info); 0 sends none.
    registration_days: int = Field(7, ge=0, le=365)
    # Days before a password expires on which its owner is reminded (directories that expire
    # passwords: AD, OpenLDAP ppolicy); [] sends none.
    expiry_days: list[Annotated[int, Field(ge=0, le=365)]] = [14, 7, 3, 1]
    # Also text the expiry reminder to the person's authentication phone.
    expiry_text: bool = False
    # Local times when no reminder is sent ("" for none).
    quiet_hours: Annotated[str, AfterValidator(_quiet_hours)] = "20:00-07:00"
    # Reminder messages one person may get in a day, all kinds and channels together.
    daily_cap: int = Field(2, ge=1, le=20)


def _syslog_address(value: str) -> str:
    if not value:
        return value
    scheme, _, rest = value.partition("://")
    host, _, port = rest.rpartition(":")
    if scheme not in ("udp", "tcp", "tls") or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise PydanticCustomError("syslog", "'{value}' is not udp://host:port, tcp://host:port or tls://host:port",
                                  {"value": value})
    return value


class Audit(Section):
    """The audit trail: how long it is kept, and where else it is sent."""

    # Events older than this many days are deleted by `sspr audit purge` (the worker runs it daily).
    retention_days: int = Field(400, ge=1)
    # Forward every event to a SIEM as RFC 5424 syslog: "udp://host:514", "tcp://host:514" or
    # "tls://host:6514" ("" sends nothing). Best effort: a failure never blocks or loses an event.
    syslog: Annotated[str, AfterValidator(_syslog_address)] = ""
    # Seconds to wait for the syslog receiver before giving up on one event.
    syslog_timeout: float = Field(2.0, gt=0, le=30)


class Logging(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class Config(Section):
    server: Server = Server()
    database: Database = Database()
    directory: Directory = Directory()
    passwords: Passwords = Passwords()
    password_policy: PasswordPolicy = PasswordPolicy()
    methods: Methods = Methods()
    reset: Reset = Reset()
    branding: Branding = Branding()
    limits: Limits = Limits()
    admin: Admin = Admin()
    logging: Logging = Logging()
    delivery: Delivery = Delivery()
    email: Email = Email()
    sms: Sms = Sms()
    voice: Voice = Voice()
    twilio: TwilioSettings = TwilioSettings()
    sync: Sync = Sync()
    roles: Roles = Roles()
    console: Console = Console()
    api: Api = Api()
    push: Push = Push()
    reports: Reports = Reports()
    reminders: Reminders = Reminders()
    audit: Audit = Audit()


    @property
    def time_zone(self) -> str:
        """The organisation's time zone: times on pages and in notices, the days of reports and
        caps. `branding.time_zone` is its name for the people-facing settings; `server.time_zone`
        the older one, kept for files that set it."""
        return self.branding.time_zone or self.server.time_zone
