"""Settings read from the environment, with defaults that run out of the box.

SQLite (WAL) by default; set DATABASE_URL for PostgreSQL.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default=False):
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def envint(name, default):
    return int(os.environ.get(name, default))


DEBUG = envbool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me")
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
SITE_ROOT = os.environ.get("SITE_ROOT", "http://127.0.0.1:8000")
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "widget_tweaks",
    "csp",
    "dsfr",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_ratelimit",
    "django_tasks",
    "django_tasks_db",
    "tremplin.core",
    "tremplin.accounts",
    "tremplin.registry",
    "tremplin.authority",
    "tremplin.network",
    "tremplin.providers",
    "tremplin.fraud",
    "tremplin.schemes",
    "tremplin.vouchers",
    "tremplin.payments",
    "tremplin.diagnostics",
    "tremplin.steering",
    "tremplin.front",
    "tremplin.privacy",
    "tremplin.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tremplin.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "tremplin.core.middleware.SecurityHeadersMiddleware",
    # Last, so that its transaction holds the view's writes and nothing else.
    "tremplin.core.idempotency.IdempotencyMiddleware",
]

# The roles whose people must pass a second factor (TOTP, or a strong ProConnect sign-in) after the
# password: tremplin.accounts.second_factor.
SECOND_FACTOR_ROLES = ("advisor", "manager", "auditor")
OTP_TOTP_ISSUER = "Tremplin Numérique"

# Agents (advisors, managers, auditors) may sign in with ProConnect, the State's identity federation
# (OpenID Connect; docs/proconnect.md). Off unless a domain and a client are given. The integration domain
# is https://fca.integ01.dev-agentconnect.fr, production https://auth.agentconnect.gouv.fr. ProConnect only
# authenticates: the account must already exist with one of PROCONNECT_ROLES, the platform decides the role.
PROCONNECT_DOMAIN = os.environ.get("PROCONNECT_DOMAIN", "").rstrip("/")
PROCONNECT_DISCOVERY_PATH = os.environ.get(
    "PROCONNECT_DISCOVERY_PATH", "/api/v2/.well-known/openid-configuration"
)
PROCONNECT_CLIENT_ID = os.environ.get("PROCONNECT_CLIENT_ID", "")
PROCONNECT_CLIENT_SECRET = os.environ.get("PROCONNECT_CLIENT_SECRET", "")
PROCONNECT_ACR = os.environ.get("PROCONNECT_ACR", "eidas1")
PROCONNECT_SCOPES = "openid email given_name usual_name siret"
PROCONNECT_TIMEOUT = envint("PROCONNECT_TIMEOUT", 10)
PROCONNECT_ROLES = ("advisor", "manager", "auditor")

# Content-Security-Policy (django-csp): our own files only, scripts only with the page's nonce
# (`request.csp_nonce`, given to the DSFR scripts by `{% dsfr_js %}` and to ours in their tags).
# No inline style either: the DSFR is plain CSS, our pages have no style attribute.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # the DSFR's icons are SVG files and data: URIs in its CSS
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # Signing in and out with ProConnect posts a form that the platform redirects to ProConnect.
        "form-action": [SELF, *([PROCONNECT_DOMAIN] if PROCONNECT_DOMAIN else [])],
        "frame-ancestors": [NONE],
    }
}

# Production (DEBUG off): HTTPS only. Behind a reverse proxy that terminates TLS, it must set
# X-Forwarded-Proto; SECURE_SSL_REDIRECT=0 leaves the redirect to the proxy.
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31_536_000)
    # The programme runs on its own name (a sub-domain of gouv.fr, itself preloaded): every host under it is
    # HTTPS, so both are on; set them to 0 before a first deployment on a domain that is not.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The static files (after `collectstatic`) from the app servers themselves, compressed, so that a
    # deployment needs no other file server; nginx in front may cache them.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

ROOT_URLCONF = "config.urls"
CSRF_FAILURE_VIEW = "tremplin.front.errors.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tremplin" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "dsfr.context_processors.site_config",
            ],
        },
    },
]

SQLITE_PATH = VAR_DIR / "tremplin.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{SQLITE_PATH}",
        conn_max_age=envint("CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front: concurrent writers
    # queue on busy_timeout instead of dead-locking on a lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"),
    }
# A file (not in-memory) test database, so the concurrency tests can open it from
# other processes; named per process so that parallel test runs never share one.
_TEST_SUFFIX = f"{os.getpid()}"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{_TEST_SUFFIX}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{_TEST_SUFFIX}"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# axes locks an account from one address (both together): wrong passwords sent from elsewhere never lock
# the real person out. Guesses spread over many addresses meet tremplin.accounts.throttle's growing delay.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
LOGIN_DELAY = {"free_failures": 10, "window": 3600, "max": 15 * 60}

# The cache holds the rate limits, the login delays and the API's throttles. Unset: each process's own
# memory (right for `make run` and the tests); with several processes (gunicorn workers) set a shared one:
# CACHE_URL=redis://127.0.0.1:6379/0 (Django's RedisCache), or db:// (Django's DatabaseCache, its table
# created by `migrate`). `check --deploy` warns when production runs on the per-process cache.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL.startswith("db://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_URL.removeprefix("db://") or "tremplin_cache",
        }
    }
elif CACHE_URL in ("", "locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ValueError(f"CACHE_URL: redis://…, db://[table] or locmem:// expected, not {CACHE_URL!r}")
# django-ratelimit refuses every cache but memcached and django-redis; tremplin.core.checks says instead
# what matters here: production on a cache that processes do not share.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Rate limits of the public forms (tremplin.core.ratelimits; "count/period", period s, m, h or d).
RATE_LIMITS = {
    "password_reset_ip": "5/h",
    "password_reset_email": "3/h",
    "signup_ip": "10/h",
    "network_request_ip": "10/h",
    "check_ip": "120/h",
}
# The same request to the advisor network (company, email, theme, text) is taken once in this time.
NETWORK_REQUEST_DUPLICATE_SECONDS = 24 * 3600
# The API (tremplin.api.throttling): per token, and per address for the calls without one. The fuzz run
# (scripts/fuzz-api.sh) raises them for its own server rather than turning the throttle off.
API_RATE_LIMITS = {
    "token": os.environ.get("API_RATE_LIMIT_TOKEN", "600/m"),
    "anonymous": os.environ.get("API_RATE_LIMIT_ANONYMOUS", "120/m"),
}
# The address is REMOTE_ADDR, never a client's X-Forwarded-For (which would give a new allowance per lie).
NINJA_NUM_PROXIES = 0
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploads live under MEDIA_ROOT, outside the web root: no URL serves them (not even under DEBUG), only the
# access-checked document views do (core.web.document_response). Each is stored under a random name with
# the extension of its real type (core.storage.UploadStorage, whose file addresses lead to those views).
# MEDIA_URL is unused by our storage; Django wants one set, apart from STATIC_URL.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "tremplin.core.storage.UploadStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Tremplin Numérique <ne-pas-repondre@tremplin.example>"
)

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Programme payer account used as debtor in SEPA credit transfers.
PAYER_NAME = os.environ.get("PAYER_NAME", "Agence de services et de paiement")
PAYER_IBAN = os.environ.get("PAYER_IBAN", "FR7630001007941234567890185")
PAYER_BIC = os.environ.get("PAYER_BIC", "BDFEFRPPCCT")

# Open data (tremplin.steering.opendata): who grants the vouchers, named in the SCDL "subventions" file
# (nomAttribuant, idAttribuant: a SIRET); the demo SIRET is made up. Published files are rebuilt in
# OPEN_DATA_DIR when older than OPEN_DATA_MAX_AGE seconds.
GRANTOR_NAME = os.environ.get("GRANTOR_NAME", PAYER_NAME)
GRANTOR_SIRET = os.environ.get("GRANTOR_SIRET", "13000000300017")
OPEN_DATA_DIR = Path(os.environ.get("OPEN_DATA_DIR", VAR_DIR / "open-data"))
OPEN_DATA_MAX_AGE = envint("OPEN_DATA_MAX_AGE", 3600)

# Where the registry adapter reads offline data from.
REGISTRY_DATA_DIR = Path(os.environ.get("REGISTRY_DATA_DIR", BASE_DIR / "data"))

# Who may act for a company, and whose is a bank account: adapters (tremplin.authority). The files
# shipped are the demo's extracts of the business register (RNE) and of the banks' account holders;
# a real API plugs in by naming its class here.
AUTHORITY_REPRESENTATIVES = {
    "BACKEND": os.environ.get("AUTHORITY_REPRESENTATIVES_BACKEND", "tremplin.authority.sources.RneFile"),
    "OPTIONS": {
        "path": os.environ.get("RNE_FILE", str(REGISTRY_DATA_DIR / "demo" / "rne_representatives.csv"))
    },
}
PAYEE_VERIFICATION = {
    "BACKEND": os.environ.get("PAYEE_VERIFICATION_BACKEND", "tremplin.authority.payee.BankFile"),
    "OPTIONS": {
        "path": os.environ.get("BANK_ACCOUNTS_FILE", str(REGISTRY_DATA_DIR / "demo" / "bank_accounts.csv"))
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # factur-x logs an error for every plain PDF; we report our own, specific findings instead.
    "loggers": {"factur-x": {"level": "CRITICAL", "handlers": [], "propagate": False}},
}

# The national de minimis register export (tremplin.steering.state_aid, docs/state-aid-register.md): the
# granting authority of the vouchers. Empty: the open data's grantor (GRANTOR_NAME, GRANTOR_SIRET) when
# those settings exist, else PAYER_NAME and a made-up demo SIRET. Set the real SIRET before any transmission.
STATE_AID_GRANTOR_NAME = os.environ.get("STATE_AID_GRANTOR_NAME", "")
STATE_AID_GRANTOR_SIRET = os.environ.get("STATE_AID_GRANTOR_SIRET", "")
