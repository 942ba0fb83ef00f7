"""System checks of the project's own security settings (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_two_factor_in_production(app_configs=None, **kwargs):
    """Warn when production lets supervisors and admins in with a password only."""
    if settings.PRODUCTION and not settings.REQUIRE_2FA_FOR_SUPERVISORS:
        return [
            Warning(
                "REQUIRE_2FA_FOR_SUPERVISORS is off in production: supervisors and admins, who can "
                "open citizens' personal data, sign in with a password only.",
                hint="Unset REQUIRE_2FA_FOR_SUPERVISORS (on by default in production) or set it to true.",
                id="helpdesk.W001",
            )
        ]
    return []
