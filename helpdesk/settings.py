"""Sinkron settings: every value comes from the environment, with safe development defaults.

`SINKRON_ENV=production` turns the defaults strict: secrets must be set, DEBUG is off, cookies are
secure. Nothing here reads a value at import time from anywhere but the environment and `var/`, and
nothing here creates a directory (the demo broker makes its own folders when it starts).

Sections: core, apps, database, cache and broker, security, sync, notifications, families, documents, logging
and operations, then the periodic tasks (which use the intervals of the sections before them).
Every variable read here is listed in the README's "Environment" table.
"""

from datetime import timedelta
from pathlib import Path

import csp.constants as csp
import dj_database_url
from celery.schedules import crontab
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from helpdesk.env import (
    env_bool,
    env_float,
    env_int,
    env_list,
    env_str,
    secret_from_env_or_file,
    token_urlsafe,
)

# --- core ----------------------------------------------------------------------------------------

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SINKRON_VAR_DIR", str(BASE_DIR / "var")))

PRODUCTION = env_str("SINKRON_ENV", "development") == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)
DEMO_MODE = env_bool("DEMO_MODE", not PRODUCTION)
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "sinkron-demo")
# With DEBUG on, people still see the project's 404 page; true shows Django's technical one.
DEBUG_TECHNICAL_404 = env_bool("DEBUG_TECHNICAL_404", False)
# Every duration the app uses, in seconds. DEMO_TIME_SCALE divides them all so a demo can run the
# 1x24 jam SLA in minutes; production keeps it at 1.
DEMO_TIME_SCALE = env_float("DEMO_TIME_SCALE", 1.0)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
ROOT_URLCONF = env_str("ROOT_URLCONF", "helpdesk.urls")
WSGI_APPLICATION = "helpdesk.wsgi.application"

CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.template.context_processors.i18n",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "helpdesk.context_processors.sinkron",
    "helpdesk.context_processors.csrf_token_once",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": CONTEXT_PROCESSORS,
        },
    },
    {  # the hot list fragments (helpdesk/jinja.py); found only where Django's engine finds nothing
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "helpdesk.jinja.environment",
            "extensions": ["jinja2.ext.i18n"],
            # The same as Django's pages: a Jinja2 body sees the roles, the flags and the page's token.
            "context_processors": CONTEXT_PROCESSORS,
        },
    },
]
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# Development and tests serve straight from static/; production runs collectstatic first.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tickets:queue"
LOGOUT_REDIRECT_URL = "login"

TICKETS_PER_PAGE = env_int("TICKETS_PER_PAGE", 25)
QUEUE_REFRESH_SECONDS = env_int("QUEUE_REFRESH_SECONDS", 30)  # the queue reloads its table this often
DASHBOARD_CACHE_SECONDS = env_int("DASHBOARD_CACHE_SECONDS", 30)

# --- apps ----------------------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # registers OpClass for index expressions (the name trigram index)
    "crispy_forms",
    "crispy_bootstrap5",
    "audit",
    "citizens",
    "tickets",
    "sync",
    "families",
    "documents",
    "notifications",
    "whatsapp",
    "helpdesk",
    "desk",
    "offices",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
]

MIDDLEWARE = [
    # /healthz, /readyz, /healthz/pipeline and /metrics are answered by ProbeMiddleware before host
    # checks and https redirects (docs/operations.md); the request id comes first so every later
    # log line carries it.
    "helpdesk.requestid.RequestIdMiddleware",
    "helpdesk.metrics.MetricsMiddleware",
    "helpdesk.health.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "helpdesk.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "helpdesk.middleware.SlidingSessionMiddleware",
    "helpdesk.middleware.IndonesianByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "helpdesk.security.TwoFactorMiddleware",
    "helpdesk.security.NoStoreForStaffMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "helpdesk.middleware.ProjectNotFoundPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # axes wants to be last
]

# --- database ------------------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sinkron.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo: web, worker threads and beat write at once. Take the write lock at BEGIN (a
    # deferred transaction that upgrades fails at once with "database is locked", a 500 at the
    # counter) and let readers run beside the writer (WAL), as mockregistry/settings.py does.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# A streaming replica of the primary (docs/scaling.md): dashboards and reports read from it, every
# other read and every write stay on the primary (core/replica.py). Unset: everything on the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # a test run reads what it wrote
DATABASE_ROUTERS = ["core.replica.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and broker ----------------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Markup that is the same for everyone of a role and language (the navigation, an empty form),
# rendered once per process ({% cache %}, {% pristine %}): in memory, so a Redis outage never
# reaches a page, and emptied by the restart that deploys new templates or translations.
CACHES["template_fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "template-fragments",
    "TIMEOUT": None,
    "OPTIONS": {"MAX_ENTRIES": 1000},
}

# Celery: Redis when REDIS_URL is set, otherwise a broker with no server (helpdesk/broker.py, kombu's
# filesystem transport made safe for concurrent use, under var/) so `make run` needs nothing
# installed. The database holds every wait; messages are only nudges (DESIGN.md §4, §8).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "sinkronfs://")
if CELERY_BROKER_URL.startswith(("sinkronfs", "filesystem")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker" / "out"),
        "data_folder_out": str(VAR_DIR / "broker" / "out"),
        "processed_folder": str(VAR_DIR / "broker" / "processed"),
        "store_processed": False,
        "control_folder": str(VAR_DIR / "broker" / "control"),
        "polling_interval": 0.05,  # the default (1 s) handles ~2 messages/s
    }
else:
    # Redis redelivers unacknowledged messages after this; no task waits anywhere near it.
    # A down Redis must not hold a clerk's save for seconds: the nudge gives up fast (the sweeper
    # finds the job in the database anyway).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": 1,
        "socket_timeout": 5,
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = env_float("CELERY_BROKER_CONNECTION_TIMEOUT", 1.0)
# Keep a worker thread's database connection across tasks (Celery closes it around every task
# otherwise); helpdesk/celery.py closes it by Django's CONN_MAX_AGE and health rules instead.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Survives a broker that drops while tasks hold messages (Celery 5.7 would exit; see the class).
CELERY_WORKER_CONSUMER = "helpdesk.celery:Consumer"
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 45)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 60)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
# Queues by kind of work, so each can get workers of its own (docs/scaling.md): the registry
# pipeline, messages to citizens, the KK imports; the rest (snapshots, retention) on "celery".
# A worker started without -Q consumes every queue listed here, so one worker still does it all
# (`make run`, the tests); the scale-out topology starts one worker per queue with -Q.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = {name: {} for name in ("celery", "sync", "notifications", "imports")}
CELERY_TASK_ROUTES = {
    "sync.tasks.*": {"queue": "sync"},
    "notifications.tasks.*": {"queue": "notifications"},
    "tickets.tasks.*": {"queue": "notifications"},  # the lost-slip code resend: a message too
    "families.tasks.*": {"queue": "imports"},
}
# CELERY_BEAT_SCHEDULE is at the end of the file: it uses the intervals of the sections below.

# --- security and privacy ------------------------------------------------------------------------
# Tests: tests/security/. Findings and their fixes: docs/security.md.

SECRET_KEY = secret_from_env_or_file(
    "SECRET_KEY", VAR_DIR / "secret_key", generate=token_urlsafe, required=PRODUCTION
)
# Personal-data keys. Encryption keys are a comma-separated list: the first encrypts, all decrypt
# (rotation). The lookup HMAC key is separate, so a leaked lookup column cannot be decrypted.
# The single-key fallback is read only when the list is absent, so production needs just the list.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", []) or [
    secret_from_env_or_file(
        "FIELD_ENCRYPTION_KEY",
        VAR_DIR / "field_encryption_key",
        generate=lambda: Fernet.generate_key().decode(),
        required=PRODUCTION,
    )
]
FIELD_HMAC_KEY = secret_from_env_or_file(
    "FIELD_HMAC_KEY", VAR_DIR / "field_hmac_key", generate=token_urlsafe, required=PRODUCTION
)
# UU PDP retention: personal data is erased RETENTION_DAYS after a final status (desk/retention.py).
RETENTION_DAYS = env_int("RETENTION_DAYS", 365)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Session and cookie hygiene; production turns on the secure flags.
SESSION_ENGINE = "helpdesk.sessions"  # Django's database sessions, read with one written-out statement
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
# An idle timeout at the counter, not an absolute one: helpdesk.middleware.SlidingSessionMiddleware
# pushes the expiry forward at most once a SESSION_RENEW_SECONDS, instead of a session UPDATE and
# COMMIT on every page (SESSION_SAVE_EVERY_REQUEST). A session thus ends after 29-30 idle minutes.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = env_int("SESSION_RENEW_SECONDS", 60)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The public status page: "hits/seconds" limits shared by all web processes through the cache.
STATUS_RATE_PER_IP = env_str("STATUS_RATE_PER_IP", "30/600")
STATUS_RATE_PER_NIK = env_str("STATUS_RATE_PER_NIK", "10/600")
RESEND_RATE_PER_IP = env_str("RESEND_RATE_PER_IP", "10/3600")
RESEND_RATE_PER_NIK = env_str("RESEND_RATE_PER_NIK", "3/86400")
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)

# Lockout after LOGIN_FAILURE_LIMIT wrong passwords for one username *from one address*: an
# attacker elsewhere cannot lock a clerk out at the counter. The wait is fixed (not extended by
# more failures), so the lockout page's "N menit" is true. Unlock early: admin > Axes, or
# `manage.py axes_reset_username <username>`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "helpdesk.security.UsernameLockBackend",
    "helpdesk.backends.DeskBackend",  # ModelBackend, with the user's roles read in one statement
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "helpdesk.security.client_ip_for_axes"
AXES_USERNAME_CALLABLE = "helpdesk.security.username_for_axes"  # storable: <= 255 chars, no NUL
AXES_LOCKOUT_CALLABLE = "helpdesk.security.lockout_response"
# Across addresses (helpdesk.security.UsernameLockBackend): LOGIN_USERNAME_FAILURE_LIMIT wrong
# passwords for one username within the window, from anywhere, lock it for every address it never
# signed in from, and mail the ADMINS. Unlock early: `manage.py unlock_username <username>`.
LOGIN_USERNAME_FAILURE_LIMIT = env_int("LOGIN_USERNAME_FAILURE_LIMIT", 20)
LOGIN_USERNAME_WINDOW_MINUTES = env_int("LOGIN_USERNAME_WINDOW_MINUTES", 15)
LOGIN_USERNAME_LOCK_MINUTES = env_int("LOGIN_USERNAME_LOCK_MINUTES", 15)
ADMINS = [(address, address) for address in env_list("ADMIN_EMAILS", [])]

# TOTP two-factor. Supervisors and admins may enrol at /dua-faktor/; once enrolled they are asked
# for a code after every login. REQUIRE_2FA_FOR_SUPERVISORS makes it compulsory for them: on by
# default in production (`check --deploy` warns when it is turned off there), off in development
# so the demo logs in with a password only. Counter staff are never asked. Secrets are encrypted
# at rest (helpdesk.models.EncryptedTOTPDevice); enrolment hands out ten single-use backup codes.
REQUIRE_2FA_FOR_SUPERVISORS = env_bool("REQUIRE_2FA_FOR_SUPERVISORS", PRODUCTION)
OTP_TOTP_ISSUER = "Sinkron"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Content-Security-Policy: no inline script or style anywhere (static/js/sinkron.js wires the
# behaviours by data attributes). The nonce is there for a script that truly must be inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "frame-ancestors": [csp.NONE],
        "form-action": [csp.SELF],
        "base-uri": [csp.SELF],
        "object-src": [csp.NONE],
    },
}
PERMISSIONS_POLICY_DISABLED = [
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "usb",
]

# --- sync: the central registry and the pipeline (seconds, before DEMO_TIME_SCALE) ---------------

REGISTRY_URL = env_str("REGISTRY_URL", "http://127.0.0.1:8001/api/v1")
REGISTRY_TOKEN = env_str("REGISTRY_TOKEN", "" if PRODUCTION else "dev-registry-token")
REGISTRY_CONNECT_TIMEOUT = env_float("REGISTRY_CONNECT_TIMEOUT", 3.0)
REGISTRY_READ_TIMEOUT = env_float("REGISTRY_READ_TIMEOUT", 10.0)
REGISTRY_BREAKER_THRESHOLD = env_int("REGISTRY_BREAKER_THRESHOLD", 5)
REGISTRY_BREAKER_OPEN_SECONDS = env_float("REGISTRY_BREAKER_OPEN_SECONDS", 30)

SYNC_SLA_SECONDS = env_int("SYNC_SLA_SECONDS", 86400)
SYNC_SWEEP_SECONDS = env_float("SYNC_SWEEP_SECONDS", 60)
# A job the sweeper published and no worker has claimed since is published again after this long
# (its message is then taken as lost, e.g. a Redis restarted empty).
SYNC_REDISPATCH_SECONDS = env_float("SYNC_REDISPATCH_SECONDS", 3 * SYNC_SWEEP_SECONDS)
SYNC_MAX_PUSH_ATTEMPTS = env_int("SYNC_MAX_PUSH_ATTEMPTS", 8)
# Push backoff and check intervals: see sync/schedule.py.
SYNC_RETRY_BASE_SECONDS = env_float("SYNC_RETRY_BASE_SECONDS", 10)
SYNC_RETRY_MAX_SECONDS = env_float("SYNC_RETRY_MAX_SECONDS", 900)
SYNC_FIRST_CHECK_SECONDS = env_float("SYNC_FIRST_CHECK_SECONDS", 3600)
SYNC_CHECK_AFTER_SLA_SECONDS = env_float("SYNC_CHECK_AFTER_SLA_SECONDS", 7200)
SYNC_EXPEDITE_CHECK_SECONDS = env_float("SYNC_EXPEDITE_CHECK_SECONDS", 60)  # re-check after an expedite
SYNC_CLAIM_SECONDS = env_int("SYNC_CLAIM_SECONDS", 90)  # lease of a claimed job; > the task's hard time limit
SYNC_STAFF_ACTION_COOLDOWN_SECONDS = env_int("SYNC_STAFF_ACTION_COOLDOWN_SECONDS", 30)
# A ticket the centre has not accepted this long after the counter saved it is escalated (sync/sweep.py).
SYNC_ACCEPT_DEADLINE_SECONDS = env_float("SYNC_ACCEPT_DEADLINE_SECONDS", 4 * 3600)
# How often a NIK ganda / blocked NIK taken to the centre's personnel is pushed again, to notice
# that they cleared it.
SYNC_BLOCKED_RETRY_SECONDS = env_float("SYNC_BLOCKED_RETRY_SECONDS", 2 * 3600)
# The second stage: portals that show what they hold (GET /portals/{code}/residents/{nik}), by the
# Ticket.service code; a ticket for another service resolves when the centre shows the data.
PORTALS = env_list("PORTALS", ["sscasn", "bpjs", "bank"])
PORTAL_WINDOW_SECONDS = env_int("PORTAL_WINDOW_SECONDS", 3 * 86400)  # "maks. 3x24 jam" after the centre
# Portal checks: +1h, +2h, +4h ... after the centre applied, at most PORTAL_CHECK_MAX_SECONDS apart,
# and one at the window's end (sync/schedule.py).
PORTAL_FIRST_CHECK_SECONDS = env_float("PORTAL_FIRST_CHECK_SECONDS", 3600)
PORTAL_CHECK_MAX_SECONDS = env_float("PORTAL_CHECK_MAX_SECONDS", 6 * 3600)
# Pipeline progress (sync/health.py, `manage.py check_pipeline`): not scaled by DEMO_TIME_SCALE.
SYNC_STALL_SECONDS = env_int("SYNC_STALL_SECONDS", 300)
SYNC_OLDEST_DUE_SECONDS = env_int("SYNC_OLDEST_DUE_SECONDS", 900)
SYNC_SWEEP_STALE_SECONDS = env_int("SYNC_SWEEP_STALE_SECONDS", max(180, int(3 * SYNC_SWEEP_SECONDS)))

# --- notifications: messages to citizens (channel console | email | http | whatsapp | sms;
# notifications/conf.py) ---------------------------------------------------------------------------

NOTIFY_CHANNEL = env_str("NOTIFY_CHANNEL", "console")
NOTIFY_FALLBACK = env_str("NOTIFY_FALLBACK", "")
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 5)
NOTIFY_RETRY_BASE_SECONDS = env_float("NOTIFY_RETRY_BASE_SECONDS", 60)
NOTIFY_RETRY_MAX_SECONDS = env_float("NOTIFY_RETRY_MAX_SECONDS", 3600)
NOTIFY_CLAIM_SECONDS = env_int("NOTIFY_CLAIM_SECONDS", 90)
NOTIFY_REDRIVE_SECONDS = env_float("NOTIFY_REDRIVE_SECONDS", 60)
NOTIFY_REDRIVE_BATCH = env_int("NOTIFY_REDRIVE_BATCH", 500)
NOTIFY_HTTP_URL = env_str("NOTIFY_HTTP_URL", "")
NOTIFY_HTTP_TOKEN = env_str("NOTIFY_HTTP_TOKEN", "")
NOTIFY_HTTP_CONNECT_TIMEOUT = env_float("NOTIFY_HTTP_CONNECT_TIMEOUT", 3.0)
NOTIFY_HTTP_READ_TIMEOUT = env_float("NOTIFY_HTTP_READ_TIMEOUT", 10.0)
NOTIFY_EMAIL_FROM = env_str("NOTIFY_EMAIL_FROM", "")
NOTIFY_EMAIL_TIMEOUT = env_float("NOTIFY_EMAIL_TIMEOUT", 10.0)
NOTIFY_SMS_URL = env_str("NOTIFY_SMS_URL", "")
NOTIFY_SMS_TOKEN = env_str("NOTIFY_SMS_TOKEN", "")
WHATSAPP_API_URL = env_str("WHATSAPP_API_URL", "")
WHATSAPP_API_VERSION = env_str("WHATSAPP_API_VERSION", "v19.0")
WHATSAPP_PHONE_NUMBER_ID = env_str("WHATSAPP_PHONE_NUMBER_ID", "")
WHATSAPP_ACCESS_TOKEN = env_str("WHATSAPP_ACCESS_TOKEN", "")
WHATSAPP_APP_SECRET = env_str("WHATSAPP_APP_SECRET", "")
WHATSAPP_VERIFY_TOKEN = env_str("WHATSAPP_VERIFY_TOKEN", "")
WHATSAPP_CONNECT_TIMEOUT = env_float("WHATSAPP_CONNECT_TIMEOUT", 3.0)
WHATSAPP_READ_TIMEOUT = env_float("WHATSAPP_READ_TIMEOUT", 10.0)
WHATSAPP_CENTRE_NUMBER = env_str("WHATSAPP_CENTRE_NUMBER", "08118005373")
# A citizen's WhatsApp "CEK <kode>" waits this long for the NIK before it is forgotten.
WHATSAPP_CEK_WAIT_SECONDS = env_int("WHATSAPP_CEK_WAIT_SECONDS", 600)
WHATSAPP_OFFICE_NAME = env_str("WHATSAPP_OFFICE_NAME", "Disdukcapil")
WHATSAPP_OFFICE_HOURS = env_str("WHATSAPP_OFFICE_HOURS", "Senin-Jumat 08.00-15.00 WIB")
WHATSAPP_REPLY_REDRIVE_SECONDS = env_float("WHATSAPP_REPLY_REDRIVE_SECONDS", 30)

# --- families: family groups and the KK import (what each one means: families/conf.py) -----------

FAMILY_IMPORT_MAX_BYTES = env_int("FAMILY_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
FAMILY_IMPORT_XLSX_MAX_UNPACKED_BYTES = env_int("FAMILY_IMPORT_XLSX_MAX_UNPACKED_BYTES", 256 * 1024 * 1024)
FAMILY_IMPORT_XLSX_MAX_SHARED_STRINGS_BYTES = env_int(
    "FAMILY_IMPORT_XLSX_MAX_SHARED_STRINGS_BYTES", 64 * 1024 * 1024
)
FAMILY_IMPORT_XLSX_MAX_RATIO = env_int("FAMILY_IMPORT_XLSX_MAX_RATIO", 100)
FAMILY_IMPORT_READ_SECONDS = env_float("FAMILY_IMPORT_READ_SECONDS", 90.0)
FAMILY_IMPORT_MAX_ROWS = env_int("FAMILY_IMPORT_MAX_ROWS", 200_000)
FAMILY_IMPORT_CHUNK_ROWS = env_int("FAMILY_IMPORT_CHUNK_ROWS", 2000)
FAMILY_IMPORT_TICKET_CHUNK = env_int("FAMILY_IMPORT_TICKET_CHUNK", 50)
FAMILY_IMPORT_TASK_SECONDS = env_float("FAMILY_IMPORT_TASK_SECONDS", 30.0)
FAMILY_IMPORT_CLAIM_SECONDS = env_int("FAMILY_IMPORT_CLAIM_SECONDS", 120)
FAMILY_IMPORT_MAX_RUNS = env_int("FAMILY_IMPORT_MAX_RUNS", 500)
FAMILY_IMPORT_STALE_SECONDS = env_int("FAMILY_IMPORT_STALE_SECONDS", 180)
FAMILY_IMPORT_PREVIEW_ROWS = env_int("FAMILY_IMPORT_PREVIEW_ROWS", 50)
FAMILY_GROUP_POLL_SECONDS = env_int("FAMILY_GROUP_POLL_SECONDS", 10)

# --- documents: scans and photos on a ticket (documents/; encrypted at rest, docs/privacy.md) -----

DOCUMENTS_MAX_BYTES = env_int("DOCUMENTS_MAX_BYTES", 10 * 1024 * 1024)
DOCUMENTS_MAX_PIXELS = env_int("DOCUMENTS_MAX_PIXELS", 40_000_000)  # a 40 MP phone photo; bombs beyond
DOCUMENTS_MAX_PDF_PAGES = env_int("DOCUMENTS_MAX_PDF_PAGES", 50)
# An upload up to this size stays in memory: Django writes a larger one to a plaintext temporary
# file, and a document must never touch the disk unencrypted (a larger one is refused anyway).
FILE_UPLOAD_MAX_MEMORY_SIZE = DOCUMENTS_MAX_BYTES + 1024 * 1024
# `local`: encrypted files under DOCUMENTS_DIR; `s3`: any S3-compatible store (django-storages).
DOCUMENTS_STORAGE = env_str("DOCUMENTS_STORAGE", "local")
if DOCUMENTS_STORAGE == "s3":
    _documents_storage = {
        "BACKEND": "documents.s3.EncryptedS3Storage",
        "OPTIONS": {
            "bucket_name": env_str("DOCUMENTS_S3_BUCKET", "sinkron-documents"),
            "endpoint_url": env_str("DOCUMENTS_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("DOCUMENTS_S3_REGION", "") or None,
            "access_key": env_str("DOCUMENTS_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("DOCUMENTS_S3_SECRET_ACCESS_KEY", "") or None,
            "location": env_str("DOCUMENTS_S3_PREFIX", "documents"),
            "default_acl": "private",
            "querystring_auth": True,  # never a public object URL (the app serves the bytes anyway)
            "file_overwrite": False,
        },
    }
elif DOCUMENTS_STORAGE == "local":
    _documents_storage = {
        "BACKEND": "documents.storage.EncryptedFileSystemStorage",
        "OPTIONS": {
            "location": env_str("DOCUMENTS_DIR", str(VAR_DIR / "documents")),
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
else:
    raise ImproperlyConfigured("DOCUMENTS_STORAGE must be local or s3.")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "core.staticfiles.RememberingStaticFilesStorage"},
    "documents": _documents_storage,
}

# --- logging and operations ----------------------------------------------------------------------
# Probes and metrics: docs/operations.md.

READYZ_TIMEOUT_SECONDS = env_float("READYZ_TIMEOUT_SECONDS", 2.0)
READYZ_SOFT_CHECKS = env_list("READYZ_SOFT_CHECKS", [])  # e.g. "registry": reported, never a 503
OPS_PROBE_CACHE_SECONDS = env_float("OPS_PROBE_CACHE_SECONDS", 5.0)
METRICS_TOKEN = env_str("METRICS_TOKEN", "")  # empty: /metrics answers 127.0.0.1 only
METRICS_WINDOW_SECONDS = env_int("METRICS_WINDOW_SECONDS", 300)
METRICS_CACHE_SECONDS = env_float("METRICS_CACHE_SECONDS", 10.0)  # database figures reused this long

# Logs: one JSON object per line in production (LOG_FORMAT=json), text in development; both mask
# every 16-digit number and carry the request id. Django's own loggers go through the same handler.
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "helpdesk.requestid.RequestIdFilter"}},
    "formatters": {
        "text": {
            "()": "helpdesk.logs.ScrubbingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "helpdesk.jsonlog.ScrubbingJsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # httpx logs every request URL at INFO, and the registry's URLs carry the NIK.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": [], "level": "INFO"},
    },
}

# --- periodic tasks (Celery beat) ----------------------------------------------------------------

CELERY_BEAT_SCHEDULE = {
    "sync-sweep": {
        "task": "sync.tasks.sweep",
        "schedule": SYNC_SWEEP_SECONDS,
        "options": {"expires": SYNC_SWEEP_SECONDS},
    },
    # Hourly, so the last snapshot of a day is taken before midnight whatever the restarts.
    "status-snapshot": {"task": "desk.tasks.snapshot_status_counts", "schedule": 3600},
    "whatsapp-reply-redrive": {
        "task": "whatsapp.tasks.redrive_replies",
        "schedule": WHATSAPP_REPLY_REDRIVE_SECONDS,
        "options": {"expires": WHATSAPP_REPLY_REDRIVE_SECONDS},
    },
    "notifications-redrive": {
        "task": "notifications.tasks.redrive",
        "schedule": NOTIFY_REDRIVE_SECONDS,
        "options": {"expires": NOTIFY_REDRIVE_SECONDS},
    },
    "families-push-sweep": {
        "task": "families.tasks.sweep_family_pushes",
        "schedule": SYNC_SWEEP_SECONDS,
        "options": {"expires": SYNC_SWEEP_SECONDS},
    },
    "families-import-sweep": {
        "task": "families.tasks.sweep_imports",
        "schedule": 60,
        "options": {"expires": 60},
    },
    # UU PDP retention: erase personal data RETENTION_DAYS after a final status.
    "retention-purge": {"task": "desk.tasks.purge_personal_data", "schedule": crontab(hour=2, minute=30)},
}
