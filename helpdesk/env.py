"""Tiny helpers that read settings from the environment and fail loudly on malformed values.

Shared by the Sinkron settings and nothing else (the mock registry keeps its own copy on purpose:
it stands for a system we do not own).
"""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def secret_from_env_or_file(name: str, path: Path, *, generate, required: bool) -> str:
    """Return the secret in env var `name`; for local use, generate it once into `path`.

    In production (`required`) a missing secret is a configuration error, never a silent default.
    """
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if required:
        raise ImproperlyConfigured(f"{name} must be set in production.")
    if path.exists():
        return path.read_text().strip()
    return _create_once(path, generate())


def _create_once(path: Path, value: str) -> str:
    """Write `value` to `path` unless another process got there first; return what the file holds.

    Processes that start together on a fresh checkout (test workers, the demo's web and worker) must
    all end up with the same key: the file is written under a temporary name and linked into place,
    which fails, rather than overwrites, when the file already exists.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    temporary.write_text(value)
    temporary.chmod(0o600)
    try:
        os.link(temporary, path)
    except FileExistsError:
        value = path.read_text().strip()
    finally:
        temporary.unlink()
    return value


def token_urlsafe() -> str:
    return secrets.token_urlsafe(50)
