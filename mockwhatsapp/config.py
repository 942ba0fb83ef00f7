"""The gateway's settings, read once from the environment (docs/mockwhatsapp.md lists them)."""

import os
from dataclasses import dataclass
from pathlib import Path


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        raise SystemExit(f"{name} must be a number, got {raw!r}") from None


@dataclass(frozen=True)
class Config:
    database: Path
    access_token: str
    app_secret: str
    control_token: str
    webhook_url: str
    phone_number_id: str
    display_number: str
    status_delay: float
    window_seconds: float
    instance: str
    demo_seed: bool


def load() -> Config:
    var_dir = Path(os.environ.get("MOCKWHATSAPP_VAR_DIR", "var"))
    return Config(
        database=Path(os.environ.get("MOCKWHATSAPP_DATABASE", str(var_dir / "mockwhatsapp.sqlite3"))),
        access_token=os.environ.get("MOCKWHATSAPP_ACCESS_TOKEN", "dev-whatsapp-token"),
        app_secret=os.environ.get("MOCKWHATSAPP_APP_SECRET", "dev-whatsapp-app-secret"),
        control_token=os.environ.get("MOCKWHATSAPP_CONTROL_TOKEN", "dev-control-token"),
        webhook_url=os.environ.get("MOCKWHATSAPP_WEBHOOK_URL", "http://127.0.0.1:8000/whatsapp/webhook/"),
        phone_number_id=os.environ.get("MOCKWHATSAPP_PHONE_NUMBER_ID", "100200300400500"),
        display_number=os.environ.get("MOCKWHATSAPP_DISPLAY_NUMBER", "6281100001111"),
        # Seconds between a message's "sent", "delivered" and "read" callbacks.
        status_delay=_float("MOCKWHATSAPP_STATUS_DELAY_SECONDS", 1.0),
        # The customer-service window: free-form text only this long after the citizen wrote.
        window_seconds=_float("MOCKWHATSAPP_WINDOW_SECONDS", 24 * 3600),
        instance=os.environ.get("MOCKWHATSAPP_INSTANCE", ""),
        # `make run`: start with one conversation on the page when the state is empty.
        demo_seed=os.environ.get("MOCKWHATSAPP_DEMO_SEED", "") in ("1", "true", "yes"),
    )
