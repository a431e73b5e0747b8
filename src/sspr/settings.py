"""Django settings, derived entirely from the OpenSSPR configuration (sspr.config).

Nothing here is meant to be edited per deployment: operators change sspr.toml or SSPR_*
environment variables. Outside demo mode an unsafe configuration stops the process here.
"""

import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from sspr import config as sspr_config

CONFIG = sspr_config.load()
_unsafe = sspr_config.production_problems(CONFIG)
if _unsafe:
    raise ImproperlyConfigured("unsafe configuration:\n" + "\n".join(_unsafe))

PACKAGE_DIR = Path(__file__).resolve().parent
DEMO = CONFIG.server.demo
DEBUG = CONFIG.server.debug
BASE_URL = CONFIG.server.base_url.rstrip("/")
SECURE = urlsplit(BASE_URL).scheme == "https"


def _demo_secret_key() -> str:
    # The demo keeps its key under var/ so sessions survive a restart of `make demo`.
    path = Path("var/demo-secret-key")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()


SECRET_KEY = CONFIG.server.secret_key or (_demo_secret_key() if DEMO else "")
ALLOWED_HOSTS = [urlsplit(BASE_URL).hostname, "localhost", "127.0.0.1", "[::1]"]

INSTALLED_APPS = [
    "sspr.web",
    "sspr.accounts",
    "sspr.audit",
    "sspr.limits",
    "sspr.methods",
    "sspr.reset",
    "sspr.directory.embedded",
    "sspr.ops",
    "sspr.demo",
    "sspr.delivery",
    "sspr.sync",
    "sspr.roster",
    "sspr.api",
    "ninja",  # django-ninja: its interactive page's template and script files (sspr.api)
    "sspr.reports",
    "sspr.web.apps.OperatorAdminConfig",  # django.contrib.admin, on our sign-in (sspr.web.operators)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "sspr.web.middleware.ClientIPMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "sspr.web.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sspr.web.middleware.SessionLifetimeMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "sspr.web.middleware.SameOriginFormsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sspr.web.middleware.UnavailableMiddleware",
    "sspr.web.middleware.AdminNetworksMiddleware",
]

ROOT_URLCONF = "sspr.urls"
WSGI_APPLICATION = "sspr.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "sspr.web.context.branding",
            ],
        },
    },
]

# Health checks: a connection kept open across requests is tested before reuse, so the first
# request after a database restart gets a new one instead of failing on the stale one.
DATABASES = {"default": dj_database_url.parse(CONFIG.database.url, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _db_name = DATABASES["default"]["NAME"]
    if _db_name and _db_name != ":memory:":
        Path(_db_name).parent.mkdir(parents=True, exist_ok=True)
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file database keeps its connection across requests like PostgreSQL does: opening one
    # (and running the pragmas below) was about a tenth of a sign-in's web time
    # (benchmarks/README.md).
    # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock at BEGIN so
    # two gunicorn workers writing sessions queue up instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Operators' own passwords (sspr createadmin); people's passwords go through sspr.passwords.policy.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 15}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ["user_id", "display_name"]}},
]
# Neither checks a password (see sspr.accounts.auth): there is deliberately no ModelBackend, so a
# password alone never makes an operator's session.
AUTHENTICATION_BACKENDS = ["sspr.accounts.auth.DirectoryBackend", "sspr.accounts.auth.OperatorBackend"]
LOGIN_URL = "signin"
LOGIN_REDIRECT_URL = "profile"

# Hashes for operator accounts and the embedded directory. The first is used for new
# hashes; the others only verify imported ones (and are upgraded at the next sign-in).
PASSWORD_HASHERS = [
    "sspr.directory.embedded.hashing.ConfiguredArgon2Hasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "sspr.directory.embedded.hashing.ImportedBCryptHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
]

LANGUAGE_CODE = CONFIG.server.language
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = CONFIG.time_zone
USE_TZ = True

STATIC_URL = "/static/"
WHITENOISE_USE_FINDERS = True  # serve straight from the package; no collectstatic step

# Cookies: __Host- names need Secure, which needs https. A demo on plain http://127.0.0.1 keeps
# plain names so every browser accepts them.
SESSION_COOKIE_NAME = "__Host-sspr_session" if SECURE else "sspr_session"
CSRF_COOKIE_NAME = "__Host-sspr_csrf" if SECURE else "sspr_csrf"
LANGUAGE_COOKIE_NAME = "__Host-sspr_language" if SECURE else "sspr_language"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = SECURE
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * CONFIG.server.session_hours
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_TRUSTED_ORIGINS = [BASE_URL]
CSRF_FAILURE_VIEW = "sspr.web.views.csrf_failure"

SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = False  # a district's other hosts are not ours to decide for
SECURE_CONTENT_TYPE_NOSNIFF = True
# Under no-referrer browsers send "Origin: null" with our own form POSTs (Fetch spec);
# sspr.web.middleware.SameOriginFormsMiddleware vouches for those using Fetch Metadata.
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# TLS ends at the reverse proxy; it says so in X-Forwarded-Proto only when it is a trusted one
# (sspr.web.middleware.ClientIPMiddleware removes the header otherwise).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# A logo served from another host (the district's website) is the one outside image we allow.
_logo = urlsplit(CONFIG.branding.logo_address)
_logo_origin = [f"{_logo.scheme}://{_logo.netloc}"] if _logo.scheme == "https" and _logo.netloc else []

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *_logo_origin],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

TRUSTED_PROXIES = CONFIG.server.trusted_proxies

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"safe_text": {"()": "sspr.audit.logging.NeutraliseControlCharacters"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["safe_text"]},
    },
    "root": {"handlers": ["console"], "level": CONFIG.logging.level},
    # fontTools narrates every font it subsets for a class sign-in sheet (sspr.roster.sheet).
    "loggers": {"django.server": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
