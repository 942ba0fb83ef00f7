"""The supervisor's desk's one table: daily snapshots for the dashboard's history."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models import Office
from tickets.workflow import Status


class DailyStatusCount(models.Model):
    """How many tickets of an office stood in each status at the end of a day (Asia/Jakarta).

    Written by the nightly snapshot task; "open tickets by status over time" reads these rows
    instead of replaying a million tickets' histories on every page view.
    """

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+", verbose_name=_("kantor"))
    day = models.DateField(_("tanggal"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    count = models.PositiveIntegerField(_("jumlah"))

    class Meta:
        db_table = "helpdesk_dailystatuscount"  # the table predates the desk app; kept, not moved
        verbose_name = _("rekap status harian")
        verbose_name_plural = _("rekap status harian")
        constraints = [
            models.UniqueConstraint(fields=["office", "day", "status"], name="one_count_per_day_status")
        ]
        indexes = [models.Index(fields=["office", "day"], name="dailycount_office_day")]
