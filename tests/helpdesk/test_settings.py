"""helpdesk/settings.py: every app setting from the environment, listed in the README, no side effects."""

import json
import os
import re
import subprocess
import sys

from django.conf import settings

from families.conf import DEFAULTS as FAMILY_DEFAULTS
from notifications.conf import DEFAULTS as NOTIFY_DEFAULTS

BASE_DIR = settings.BASE_DIR
PRODUCTION_SECRETS = {
    "SECRET_KEY": "test-secret-key",
    "FIELD_ENCRYPTION_KEYS": "a2V5LWZvci10ZXN0cy1vbmx5LWtleS1mb3ItdGVzdHM=",
    "FIELD_HMAC_KEY": "test-hmac-key",
}


def settings_in_a_fresh_process(names, **environ) -> dict:
    """Import helpdesk.settings in a new interpreter with only `environ`; return the named values."""
    script = (
        "import json, sys, helpdesk.settings as s; "
        "print(json.dumps({name: getattr(s, name) for name in sys.argv[1:]}))"
    )
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(BASE_DIR), **environ}
    done = subprocess.run(
        [sys.executable, "-c", script, *names], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_importing_the_settings_creates_no_directory(tmp_path):
    var_dir = tmp_path / "var"
    settings_in_a_fresh_process(["CELERY_BROKER_URL"], SINKRON_VAR_DIR=str(var_dir), **PRODUCTION_SECRETS)
    assert not var_dir.exists()


def test_every_families_and_notifications_setting_defaults_to_its_value_in_the_apps_conf(tmp_path):
    defaults = {**FAMILY_DEFAULTS, **NOTIFY_DEFAULTS}
    found = settings_in_a_fresh_process(list(defaults), SINKRON_VAR_DIR=str(tmp_path))
    assert found == defaults


def test_every_families_setting_is_read_from_the_environment(tmp_path):
    wanted = {name: (7 if isinstance(default, int) else 7.5) for name, default in FAMILY_DEFAULTS.items()}
    environ = {name: str(value) for name, value in wanted.items()}
    assert settings_in_a_fresh_process(list(wanted), SINKRON_VAR_DIR=str(tmp_path), **environ) == wanted


def test_the_readme_lists_every_variable_the_settings_read_and_no_other():
    source = (BASE_DIR / "helpdesk" / "settings.py").read_text()
    read = set(re.findall(r'(?:env_\w+|secret_from_env_or_file)\(\s*"([A-Z0-9_]+)"', source))
    readme = (BASE_DIR / "README.md").read_text()
    table = readme.split("## Environment", 1)[1].split("\n## ", 1)[0]
    listed = {
        name
        for line in table.splitlines()
        if line.startswith("| `")
        for name in re.findall(r"`([A-Z0-9_]+)`", line.split("|")[1])
    }
    assert read - listed == set(), "read by settings.py but missing from the README"
    assert listed - read == set(), "in the README but not read by settings.py"
