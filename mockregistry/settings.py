"""Settings of the mock central population registry: a separate Django project, run as its own process.

Every value comes from the environment (see docs/mockregistry.md for the table). The defaults are for
local development and tests only: this service is a stand-in for the centre and never runs in
production.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from mockregistry.envconfig import (
    env_bool,
    env_choice,
    env_datetime,
    env_float,
    env_int,
    env_int_list,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MOCKREGISTRY_VAR_DIR", str(BASE_DIR / "var")))

# Development-only default, deliberately not secret: the mock holds no real data and never runs in
# production. Set MOCKREGISTRY_SECRET_KEY (or SECRET_KEY) anywhere shared.
SECRET_KEY = env_str("MOCKREGISTRY_SECRET_KEY", "mockregistry-dev-only-NOT-FOR-PRODUCTION")
DEBUG = env_bool("MOCKREGISTRY_DEBUG", False)
ALLOWED_HOSTS = env_list("MOCKREGISTRY_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "mockregistry"])

INSTALLED_APPS = ["mockregistry.apps.MockRegistryConfig"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "mockregistry.middleware.RequestStatsMiddleware",
    "mockregistry.middleware.FaultInjectionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]

ROOT_URLCONF = "mockregistry.urls"
WSGI_APPLICATION = "mockregistry.wsgi.application"
TEMPLATES = []

DATABASES = {
    "default": dj_database_url.parse(
        env_str("MOCKREGISTRY_DATABASE_URL", f"sqlite:///{VAR_DIR / 'mockregistry.sqlite3'}"),
        conn_max_age=env_int("MOCKREGISTRY_DATABASE_CONN_MAX_AGE", 60),
        # The health check costs a SELECT 1 per request; a load test may turn it off.
        conn_health_checks=env_bool("MOCKREGISTRY_DATABASE_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Threads write concurrently: take the write lock at BEGIN and let readers run beside writers,
    # otherwise SQLite answers "database is locked" under the gunicorn thread pool.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "MOCKREGISTRY_DATABASE_ASYNC_COMMIT", True
):
    # A commit need not wait for the disk: a crash of PostgreSQL itself may lose the last fraction of
    # a second, which a stand-in registry can afford; every test request commits, and fsync dominates.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

# --- Registry API ------------------------------------------------------------------------------
REGISTRY_TOKEN = env_str("REGISTRY_TOKEN", "dev-registry-token")
MOCKREGISTRY_CONTROL_TOKEN = env_str("MOCKREGISTRY_CONTROL_TOKEN", "dev-control-token")

# How updates propagate. These are the defaults; /_control/behaviour overrides them at run time.
# P, `propagation_seconds`, is the mock's day ("1x24 jam"): every other duration is a share of it.
_PROPAGATION_SECONDS = env_float("MOCKREGISTRY_PROPAGATION_SECONDS", 86400.0)
MOCKREGISTRY_BEHAVIOUR_DEFAULTS = {
    "propagation_seconds": _PROPAGATION_SECONDS,
    # "lognormal": most within hours, a long tail past P; "uniform": the old min_fraction..P spread.
    "propagation_model": env_choice("MOCKREGISTRY_PROPAGATION_MODEL", "lognormal", ("lognormal", "uniform")),
    "propagation_median_fraction": env_float(
        "MOCKREGISTRY_PROPAGATION_MEDIAN_FRACTION", 2 / 24, maximum=1.0
    ),  # median 2 h of 24
    "propagation_tail_rate": env_float("MOCKREGISTRY_PROPAGATION_TAIL_RATE", 0.05, maximum=0.5),
    "portal_lag_max_seconds": env_float("MOCKREGISTRY_PORTAL_LAG_MAX_SECONDS", 3 * _PROPAGATION_SECONDS),
    # An unknown NIK on PUT: "refuse" (documents_required, as the centre does) or "mint" (old mock).
    "unknown_nik": env_choice("MOCKREGISTRY_UNKNOWN_NIK", "refuse", ("refuse", "mint")),
    "propagation_min_fraction": env_float("MOCKREGISTRY_PROPAGATION_MIN_FRACTION", 0.25, maximum=1.0),
    "late_rate": env_float("MOCKREGISTRY_LATE_RATE", 0.10, maximum=1.0),
    "stuck_rate": env_float("MOCKREGISTRY_STUCK_RATE", 0.05, maximum=1.0),
    "reject_rate": env_float("MOCKREGISTRY_REJECT_RATE", 0.02, maximum=1.0),
    "expedite_seconds": env_float("MOCKREGISTRY_EXPEDITE_SECONDS", 60.0),
}

# Injected faults. These are the defaults; /_control/faults overrides them at run time.
MOCKREGISTRY_FAULT_DEFAULTS = {
    "latency_ms": env_float("MOCKREGISTRY_LATENCY_MS", 0.0),
    "jitter_ms": env_float("MOCKREGISTRY_JITTER_MS", 0.0),
    "error_rate": env_float("MOCKREGISTRY_ERROR_RATE", 0.0, maximum=1.0),
    "error_statuses": env_int_list("MOCKREGISTRY_ERROR_STATUSES", [500, 503]),
    "outage_start": env_datetime("MOCKREGISTRY_OUTAGE_START"),
    "outage_end": env_datetime("MOCKREGISTRY_OUTAGE_END"),
    "rate_limit_per_second": env_int("MOCKREGISTRY_RATE_LIMIT_PER_SECOND", 0),
    "drop_rate": env_float("MOCKREGISTRY_DROP_RATE", 0.0, maximum=1.0),
    "drop_phase": env_str("MOCKREGISTRY_DROP_PHASE", "after"),
}

if MOCKREGISTRY_FAULT_DEFAULTS["drop_phase"] not in ("before", "after"):
    raise ImproperlyConfigured("MOCKREGISTRY_DROP_PHASE must be 'before' or 'after'")
if not set(MOCKREGISTRY_FAULT_DEFAULTS["error_statuses"]) <= {500, 502, 503, 504}:
    raise ImproperlyConfigured("MOCKREGISTRY_ERROR_STATUSES may list only 500, 502, 503 and 504")

# Seeds every random draw of an update's fate (with its Idempotency-Key), so a run repeats exactly.
MOCKREGISTRY_RANDOM_SEED = env_str("MOCKREGISTRY_RANDOM_SEED", "")

# Echoed by /api/v1/health, so a test harness can tell its own process from another on the port.
MOCKREGISTRY_INSTANCE = env_str("MOCKREGISTRY_INSTANCE", "")

# A PUT that finds its key held by a request still in flight waits this long for it to finish
# (so simultaneous identical requests all get the one answer) before answering 409.
# A resubmission may carry documents in base64 (mockregistry/documents.py): Django's 2.5 MB is too small.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MOCKREGISTRY_MAX_BODY_BYTES", 160 * 1024 * 1024)  # 10 x 10 MB
MOCKREGISTRY_IN_FLIGHT_WAIT_SECONDS = env_float("MOCKREGISTRY_IN_FLIGHT_WAIT_SECONDS", 1.0)
# A key held longer than this belongs to a request that died (process killed): it may be taken over.
MOCKREGISTRY_IN_FLIGHT_TIMEOUT_SECONDS = env_float("MOCKREGISTRY_IN_FLIGHT_TIMEOUT_SECONDS", 120.0)
# Each worker process caches the control state this long; 0 reads the database on every request.
MOCKREGISTRY_CONTROL_CACHE_SECONDS = env_float("MOCKREGISTRY_CONTROL_CACHE_SECONDS", 0.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_nik": {"()": "mockregistry.logmask.MaskNikFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_nik"]},
    },
    "root": {"handlers": ["console"], "level": env_str("MOCKREGISTRY_LOG_LEVEL", "INFO")},
    # django.request logs the path of every 4xx/5xx, and our paths carry a NIK: route it through
    # the masking handler only.
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
