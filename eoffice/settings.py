"""Settings of the e-Office records portal, read from the environment.

Every setting has a typed default, and the defaults are the *embedded* configuration: SQLite,
files under ``var/``, and a Celery broker on the local file system, so that the portal runs with no
server at all. Production points ``DATABASE_URL``, ``REDIS_URL`` and ``EMAIL_URL`` at real services
(see README.md, "Production").
"""
import base64
import hashlib
from pathlib import Path

import environ

from eoffice.secret_key import load_or_create_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# Runtime files (database, media, broker queues, generated key) live here, never in the web root.
VAR_DIR = Path(env.str("EOFFICE_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or load_or_create_secret_key(VAR_DIR / "secret_key")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "eoffice.apps.PortalAdminConfig",  # Django's admin behind the second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "simple_history",
    "eoffice.third_party_apps.BeatConfig",  # django-celery-beat, its computed columns named in Thai
    # Hardening (docs/security.md): login throttling, second factor, Content Security Policy.
    "eoffice.third_party_apps.AxesConfig",  # django-axes, named in Thai
    "django_otp",
    "eoffice.third_party_apps.TotpConfig",  # django_otp.plugins.otp_totp, named in Thai
    "csp",
    "eoffice",
    "agencies",
    "correspondence",
    "signatures",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "eoffice.locale_middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks a session verified by a second factor (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records the acting user on every history row.
    "simple_history.middleware.HistoryRequestMiddleware",
    # A body nested too deeply for Python's parsers is a 400, not a 500.
    "eoffice.middleware.HostileInputMiddleware",
    # The database restarting: a 503 with a Thai message at once, not a 500.
    "eoffice.middleware.DatabaseUnavailableMiddleware",
    # API answers are never cached (Cache-Control: private, no-store).
    "eoffice.middleware.PrivateApiMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "eoffice.urls"

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
                "eoffice.context_processors.second_factor",
            ],
        },
    },
]

WSGI_APPLICATION = "eoffice.wsgi.application"

# --- Database -------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two numbering transactions queue instead of
    # failing with "database is locked" half-way through.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 30})
    # A file, not shared-cache memory, so tests see the same locking as the running portal.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT: it compiles list queries whose estimated cost is high (the grant subplans) for a second or
    # more, where they run in milliseconds; interactive reads never win it back (bench/bench_lists.py).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache ----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Celery -----------------------------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # Longer than any task may run, so Redis does not redeliver a task that is still being worked on.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
else:
    # Embedded default: kombu's file-system transport needs no server. It can lose a task whose worker
    # is killed, which the outbox re-dispatch covers; production uses Redis.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'celery-results'}"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Bangkok"
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# --- Mail ---------------------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="saraban@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Authentication and object permissions ----------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username/address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No anonymous user row: anonymous visitors are never granted classified items.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": env.int("EOFFICE_PASSWORD_MIN_LENGTH", default=12)}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Language and time ------------------------------------------------------------------------------
LANGUAGE_CODE = "th"
LANGUAGES = [("th", "ไทย"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static")))
# Media is never served by the web server directly: downloads go through permission-checked views.
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
EOFFICE_MAX_UPLOAD_BYTES = env.int("EOFFICE_MAX_UPLOAD_BYTES", default=50 * 1024 * 1024)

# --- REST API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "correspondence.api.schema.ErrorsAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "e-Office records portal API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's assets come from drf-spectacular-sidecar (static files): no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LetterKindEnum": "correspondence.models.letters.LetterKind",
        "LetterStateEnum": "correspondence.models.letters.LetterState",
        "RecipientStateEnum": "correspondence.models.letters.RecipientState",
        "BookKindEnum": "correspondence.models.registers.BookKind",
        "EntryStatusEnum": "correspondence.models.registers.EntryStatus",
        "ChannelEnum": "correspondence.models.incoming.Channel",
        "ItemStateEnum": "correspondence.models.incoming.ItemState",
    },
}

# --- Security: HTTPS deployments set EOFFICE_HTTPS=1 -----------------------------------------------------
HTTPS = env.bool("EOFFICE_HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
if env.bool("EOFFICE_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Pages that embed a PDF opt in with xframe_options_sameorigin.
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = env.int("EOFFICE_SESSION_SECONDS", default=8 * 3600)
SESSION_COOKIE_HTTPONLY = True
# A shared office computer: closing the browser ends the session (within SESSION_COOKIE_AGE anyway).
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("EOFFICE_SESSION_AT_BROWSER_CLOSE", default=True)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if HTTPS:
    # The __Host- prefix binds the cookies to this host, over HTTPS, for the whole site.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy (django-csp): no inline script or style, nothing from other origins. PDFs are
# shown in a frame of the portal's own pages (frame-src 'self'); plugins are not allowed at all.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'self'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair is locked out for the cool-off time (HTTP 429, Thai message). Office networks share
# addresses behind NAT, so the address alone never locks anyone out. Tests turn it off per test.
AXES_ENABLED = env.bool("EOFFICE_AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("EOFFICE_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("EOFFICE_LOGIN_LOCKOUT_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Each attempt while locked out starts the cool-off again: the lockout answer's Retry-After is the whole of it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_LOCKOUT_CALLABLE = "eoffice.access_events.lockout_response"
AXES_CLIENT_IP_CALLABLE = "eoffice.access_events.client_ip"
# The lead of the lockout answer; eoffice.access_events.lockout_message adds when to try again.
AXES_COOLOFF_MESSAGE = "เข้าสู่ระบบด้วยรหัสผ่านผิดหลายครั้งเกินกำหนด จึงระงับการเข้าสู่ระบบของบัญชีนี้จากเครื่องนี้ไว้"
AXES_ALLOWED_CORS_ORIGINS = ""
# Second factor (django-otp, TOTP): required to sign and for classified records and the secret register.
OTP_TOTP_ISSUER = env.str("EOFFICE_OTP_ISSUER", default="e-Office")
EOFFICE_SECOND_FACTOR = env.bool("EOFFICE_SECOND_FACTOR", default=True)

# --- Logging ---------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes announces itself at INFO in every process, commands included: keep it out of their output.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- Portal -----------------------------------------------------------------------------------------------
# How long /healthz waits for a worker to answer its ping.
HEALTHZ_WORKER_TIMEOUT = env.float("HEALTHZ_WORKER_TIMEOUT", default=2.0)
# Key(s) encrypting signing credentials at rest (Fernet, urlsafe base64 of 32 bytes; comma-separated,
# newest first, to rotate). The embedded default is derived from the generated secret key; production
# sets its own so that rotating DJANGO_SECRET_KEY cannot make stored keys unreadable.
EOFFICE_KEY_ENCRYPTION_KEY = env.str("EOFFICE_KEY_ENCRYPTION_KEY", default="") or base64.urlsafe_b64encode(
    hashlib.sha256(b"eoffice-key-encryption\0" + SECRET_KEY.encode()).digest()
).decode()
# Demo officials may be loaded only where this is set (make run sets it; production never does).
EOFFICE_DEMO_DATA = env.bool("EOFFICE_DEMO_DATA", default=False)
# End of the working day (Bangkok time), for "same working day" reminders.
EOFFICE_WORKDAY_START = env.str("EOFFICE_WORKDAY_START", default="08:30")
EOFFICE_WORKDAY_END = env.str("EOFFICE_WORKDAY_END", default="16:30")
# The portal's address as officials reach it, for links in e-mailed notifications (empty: paths only).
EOFFICE_PORTAL_URL = env.str("EOFFICE_PORTAL_URL", default="")
# Days a บัญชีหนังสือขอทำลาย sent to the National Archives (กรมศิลปากร) waits for its answer before the
# agency may destroy without one. 60 is common practice, not a figure of the regulation: set it to what
# the Archives and the agency agree.
EOFFICE_ARCHIVES_REPLY_DAYS = env.int("EOFFICE_ARCHIVES_REPLY_DAYS", default=60)
# The register book of the kinds the regulation gives no series of their own (ระเบียบ, ข้อบังคับ, แถลงการณ์, ข่าว,
# บันทึก, รายงานการประชุม), as kind=book pairs: regulation=order,news=announcement. Practice: unnamed kinds take
# the outgoing register. Checked at start-up (correspondence.checks).
EOFFICE_KIND_BOOKS = env.dict("EOFFICE_KIND_BOOKS", default={})

# --- Delivery of sent letters (outbox; docs/delivery.md) ----------------------------------------------------
# Retries: exponential backoff from BASE seconds, capped at MAX, with jitter; undeliverable after MAX_ATTEMPTS
# (owed exchange acknowledgements give up after as many, docs/exchange.md).
EOFFICE_OUTBOX_RETRY_BASE = env.float("EOFFICE_OUTBOX_RETRY_BASE", default=30.0)
EOFFICE_OUTBOX_RETRY_MAX = env.float("EOFFICE_OUTBOX_RETRY_MAX", default=3600.0)
EOFFICE_OUTBOX_MAX_ATTEMPTS = env.int("EOFFICE_OUTBOX_MAX_ATTEMPTS", default=12)
# Waits up to this long ride on the task message (countdown); longer ones are left to the re-dispatch.
EOFFICE_OUTBOX_COUNTDOWN_MAX = env.float("EOFFICE_OUTBOX_COUNTDOWN_MAX", default=300.0)
# The re-dispatch (beat, every minute) presumes a task message lost once it is this many seconds late.
EOFFICE_OUTBOX_REDISPATCH_GRACE = env.float("EOFFICE_OUTBOX_REDISPATCH_GRACE", default=60.0)
# How long a worker may hold an e-mail or portal-to-portal delivery before another takes it over.
EOFFICE_OUTBOX_LEASE_SECONDS = env.float("EOFFICE_OUTBOX_LEASE_SECONDS", default=300.0)
EOFFICE_OUTBOX_SMTP_TIMEOUT = env.float("EOFFICE_OUTBOX_SMTP_TIMEOUT", default=30.0)
# The e-mail intake's SMTP server (manage.py mail_intake; docs/mail-intake.md): loopback by default, behind the
# agency's mail server, which filters spam and viruses and speaks TLS to the world.
EOFFICE_MAIL_INTAKE_BIND = env.str("EOFFICE_MAIL_INTAKE_BIND", default="127.0.0.1:2525")
# Register letters arriving from inside the portal at once, in the name of the unit's registry clerk.
EOFFICE_DELIVERY_AUTO_REGISTER = env.bool("EOFFICE_DELIVERY_AUTO_REGISTER", default=False)
# Crash tests only: a pause in the middle of each delivery, and where to mark it. Never set in production.
EOFFICE_DELIVERY_TEST_PAUSE = env.float("EOFFICE_DELIVERY_TEST_PAUSE", default=0.0)
EOFFICE_DELIVERY_TEST_MARK_DIR = env.str("EOFFICE_DELIVERY_TEST_MARK_DIR", default="")
