"""The resolved-in-period index includes the columns the dashboard and roll-up read (index-only scans).

The new index is built before the old one is dropped, so the dashboards never lose their index.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0016_office_level_and_cross_office_queue"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("resolved_at__isnull", False)),
                fields=["office", "resolved_at"],
                include=("sent_at", "created_at", "id"),
                name="ticket_resolved_covering",
            ),
        ),
        migrations.RemoveIndex(
            model_name="ticket",
            name="ticket_resolved",
        ),
    ]
