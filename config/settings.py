"""Settings for the Q&A transcript archive.

Everything comes from the environment (see `.env.example`); the defaults make a laptop
work with nothing configured: SQLite and the search index under `var/` in the checkout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import cache_from_url, envbool, envint, envjson, envlist, envorigins, envpath, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = envpath("VAR_DIR", BASE_DIR / "var")

DEBUG = envbool("DEBUG", True)
# The fallback key is for local development only; production sets SECRET_KEY.
SECRET_KEY = envstr("SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set in the environment when DEBUG is off")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "axes",
    # The audit trail of curators' changes (archive/history.py)
    "simple_history",
    "archive",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from gunicorn, compressed and cached forever (var/static after collectstatic).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses what the middleware below and the views answer (WhiteNoise compresses static itself).
    "config.compression.PublicGZipMiddleware",
    # Before anything reads a parameter: NUL bytes and broken UTF-8 are a 400, not a 500.
    "config.bad_input.RejectBadInputMiddleware",
    # A database that does not answer (PostgreSQL restarting) is a 503 with Retry-After, not a 500.
    "config.database_unavailable.DatabaseUnavailableMiddleware",
    # Which database this request reads from: a healthy replica for anonymous reads, if any.
    "config.replicas.ReplicaReadsMiddleware",
    "csp.middleware.CSPMiddleware",
    # As high as possible: CORS headers must be on every API response, errors included.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Pages at /<language>/... (English bare); the cookie or browser choice redirects bare pages.
    "archive.localized_urls.PageLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who made a change, for the audit trail.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes documents: it turns a lockout into its 429 response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'archive.sqlite3'}"),
        conn_max_age=envint("CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers (the site) go on while a writer (an import) works.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
# PostgreSQL may split a query among parallel workers; starting them took about 10 ms, twenty
# times the work, for the queries a page of search hits makes (a few turns by index, misjudged as
# thousands), and under load the workers only compete with the other requests for the cores.
DATABASE_PARALLEL_WORKERS = envint("DATABASE_PARALLEL_WORKERS", 0)


def _postgres_options(database: Any) -> None:
    """The site's session settings on a PostgreSQL connection (after any the URL names)."""
    if database["ENGINE"] == "django.db.backends.postgresql":
        options = database.setdefault("OPTIONS", {})
        given = options.get("options", "")
        options["options"] = f"{given} -c max_parallel_workers_per_gather={DATABASE_PARALLEL_WORKERS}".strip()


_postgres_options(DATABASES["default"])
# Streaming replicas of a PostgreSQL primary (config/replicas.py, docs/operations.md): anonymous
# readers' pages, API reads, feeds and PostgreSQL searches go to a healthy one; writes, writers,
# curators and background work stay on the primary.
DATABASE_REPLICA_URLS = envlist("DATABASE_REPLICA_URLS", [])
REPLICA_MAX_LAG_SECONDS = envint("REPLICA_MAX_LAG_SECONDS", 10)  # a replica further behind is skipped
REPLICA_CHECK_SECONDS = envint("REPLICA_CHECK_SECONDS", 5)  # how long a health verdict is kept
REPLICA_STICKY_SECONDS = envint("REPLICA_STICKY_SECONDS", 30)  # a writer reads the primary this long
if DATABASE_REPLICA_URLS and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs a PostgreSQL DATABASE_URL (the primary).")
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    _replica = dj_database_url.parse(_url, conn_max_age=envint("CONN_MAX_AGE", 0), conn_health_checks=True)
    # A replica that does not answer must not hold a request for long: it is skipped instead.
    _replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", envint("REPLICA_CONNECT_TIMEOUT", 2))
    _postgres_options(_replica)
    # Tests read the primary's test database through every alias.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_number}"] = _replica
DATABASE_ROUTERS = ["config.replicas.ReplicaRouter"] if DATABASE_REPLICA_URLS else []

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Search: configured like CACHES. SEARCH_BACKEND picks the engine by short name.
SEARCH_INDEX_DIR = envpath("SEARCH_INDEX_DIR", VAR_DIR / "index")
# The shared evaluation data (corpus, known-item queries) that the benchmarks, evaluate_search and
# the corpus-based tests read; never part of the repository. Tests skip what needs it when absent.
SHARED_DATA_DIR = envpath("SHARED_DATA_DIR", BASE_DIR.parent / "shared")
SEARCH_BACKEND = envstr("SEARCH_BACKEND", "whoosh")
# "postgres": the index lives in the database (several web hosts, one database; docs/search.md).
if SEARCH_BACKEND == "postgres" and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "SEARCH_BACKEND=postgres keeps the search index in the database: DATABASE_URL must name a "
        f"PostgreSQL database (it names {DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})."
    )
SEARCH_BACKEND_NAMES = {
    "whoosh": "archive.search.backends.whoosh.WhooshBackend",
    "postgres": "archive.search.backends.postgres.PostgresBackend",
}
SEARCH_BACKENDS = {
    "default": {
        "BACKEND": SEARCH_BACKEND_NAMES.get(SEARCH_BACKEND, SEARCH_BACKEND),
        "PATH": SEARCH_INDEX_DIR,
    }
}
# Who applies the search outbox: "inline" (the committing process, after commit: one process)
# or "worker" (only `manage.py run_indexer`: several web processes).
SEARCH_INDEXER = envstr("SEARCH_INDEXER", "inline")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("he", "עברית"),
    ("es", "Español"),
    ("ar", "العربية"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The reader's choice of interface language outlives the browser session.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# Recordings (docs/recordings.md). Uploaded files go to the default storage (MEDIA_ROOT unless
# MEDIA_STORAGE_BACKEND names an object store) and are served by the archive under MEDIA_URL,
# with range requests, in production too.
MEDIA_URL = "media/"
MEDIA_ROOT = envpath("MEDIA_ROOT", VAR_DIR / "media")
# Origins recordings given by URL may come from; the Content-Security-Policy's media-src follows.
MEDIA_ALLOWED_ORIGINS = envorigins("MEDIA_ALLOWED_ORIGINS", [])
RECORDING_MAX_UPLOAD_MB = envint("RECORDING_MAX_UPLOAD_MB", 2048)
# "archive": the archive streams uploaded files itself; "storage": it redirects to the storage's
# own URL (an object store or CDN that answers range requests; add its origin above).
RECORDINGS_SERVED_BY = envstr("RECORDINGS_SERVED_BY", "archive")
if RECORDINGS_SERVED_BY not in {"archive", "storage"}:
    raise ImproperlyConfigured(f"RECORDINGS_SERVED_BY={RECORDINGS_SERVED_BY!r}: use archive or storage")

# Form fields (not files) of one request; uploaded files above 5 MB are spooled to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 50 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The admin import form refuses a file larger than this (bigger dumps: manage.py import_transcripts).
IMPORT_UPLOAD_MAX_BYTES = envint("IMPORT_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
# The longest turn any import or API write accepts, in characters (the corpus's longest: ~41,000).
TURN_TEXT_MAX_CHARS = envint("TURN_TEXT_MAX_CHARS", 200_000)
# A page of 100 turns in the admin posts ~1,300 fields, plus the speakers: above Django's 1,000.
DATA_UPLOAD_MAX_NUMBER_FIELDS = envint("DATA_UPLOAD_MAX_NUMBER_FIELDS", 10000)

# One cache for every worker (the throttles count in it): the database by default, Redis or
# Memcached through CACHE_URL (config/env.py cache_from_url, docs/operations-security.md).
CACHES = {"default": cache_from_url(envstr("CACHE_URL", ""))}

REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    # The API (archive/api/): token first, so an anonymous write gets 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "archive.api.schema.ArchiveAutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "archive.api.throttling.AnonReadThrottle",
        "archive.api.throttling.WriteThrottle",
    ],
    # "N/second|minute|hour|day"; an empty value switches that throttle off.
    "DEFAULT_THROTTLE_RATES": {
        "anon": envstr("API_THROTTLE_ANON", "120/minute") or None,
        "write": envstr("API_THROTTLE_WRITE", "60/minute") or None,
        # The HTML search page (archive/views/search.py), per client address or signed-in user.
        "search_page": envstr("SEARCH_PAGE_THROTTLE", "60/minute") or None,
    },
}
API_MAX_PAGE_SIZE = envint("API_MAX_PAGE_SIZE", 100)
# Results on a page of the search page, and the API search's default `page_size`.
SEARCH_PAGE_SIZE = envint("SEARCH_PAGE_SIZE", 20)

SPECTACULAR_SETTINGS = {
    "TITLE": "Q&A transcript archive API",
    "DESCRIPTION": (
        "Transcripts as qa-archive/1 documents, their turns, speakers and topics, search, and exports. "
        "Reads are open; writes need a curator's token (`Authorization: Token <key>`)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The interactive docs are served from our static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # One enum of turn kinds however many endpoints take or give one.
    "ENUM_NAME_OVERRIDES": {
        "TurnKindEnum": "archive.models.TurnKind",
        "SpeakerKindEnum": "archive.models.SpeakerKind",
        "AnswerStatusEnum": "archive.models.AnswerStatus",
    },
    # Nullable nested objects in a form strict OpenAPI 3.0 validators accept (archive/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "archive.api.schema.nullable_references",
    ],
}

# Programs on other sites may read the API; only GET (and its preflight) is allowed cross-origin.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Content-Disposition"]

# The site's own address, for links in emails (alerts, corrections): no request to take it from.
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")

# Email (alerts, correction outcomes). With EMAIL_HOST set, mail goes to that SMTP server;
# without it, to the console (development). EMAIL_BACKEND overrides both.
EMAIL_HOST = envstr("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", bool(EMAIL_HOST))
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)
EMAIL_BACKEND = envstr(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Q&A Transcript Archive <alerts@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Records made while answering a request name its client (config/client_address.py).
    "filters": {"client": {"()": "config.client_address.ClientAddressFilter"}},
    "formatters": {"client": {"format": "%(levelname)s %(name)s client=%(client)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["client"], "formatter": "client"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}

# --- Production: see docs/operations.md and .env.production.example. ---
# The defaults follow DEBUG: a laptop (DEBUG on) gets plain HTTP, production gets all of it.
# Set behind a TLS-terminating proxy that sends X-Forwarded-Proto (and X-Forwarded-For).
BEHIND_PROXY = envbool("BEHIND_PROXY", False)
# How many reverse proxies stand in front and append to X-Forwarded-For: the client's address is
# the entry that many hops from the right (config/client_address.py; 0 = REMOTE_ADDR itself).
TRUSTED_PROXIES = envint("TRUSTED_PROXIES", 0)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
# The reader's interface language: sent over HTTPS only in production, never on cross-site posts.
LANGUAGE_COOKIE_SECURE = envbool("LANGUAGE_COOKIE_SECURE", not DEBUG)
LANGUAGE_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = envstr("SECURE_REFERRER_POLICY", "strict-origin-when-cross-origin")
X_FRAME_OPTIONS = "DENY"

# Hashed, compressed static files in production; plain ones locally so no collectstatic is needed.
STORAGES = {
    "default": {
        "BACKEND": envstr("MEDIA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": envjson("MEDIA_STORAGE_OPTIONS", {}),
    },
    "staticfiles": {
        "BACKEND": envstr(
            "STATICFILES_BACKEND",
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# Content-Security-Policy (django-csp): scripts only from our own static files, never inline;
# styles may be inline (the admin and Swagger UI use style attributes); nobody may frame us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", *MEDIA_ALLOWED_ORIGINS],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Brute force on the admin login (django-axes): after AXES_FAILURE_LIMIT failures from one
# client for one username, that pair is locked out (HTTP 429) for AXES_COOLOFF_HOURS.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The client's address, for the lockout as for the throttles and the logs: config/client_address.py.
AXES_CLIENT_IP_CALLABLE = "config.client_address.client_address"
