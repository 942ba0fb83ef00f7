from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficesConfig(AppConfig):
    """The office hierarchy above one office: the province's and the nation's roll-up."""

    name = "offices"
    verbose_name = _("Hierarki kantor")
