import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Take over DailyStatusCount from helpdesk (helpdesk 0004): its table stays where it is."""

    initial = True

    dependencies = [
        ("helpdesk", "0004_move_dailystatuscount_to_desk"),
        ("tickets", "0011_admin_column_names"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DailyStatusCount",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("day", models.DateField(verbose_name="tanggal")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("new", "Baru"),
                                    ("sent", "Dikirim ke pusat"),
                                    ("resolved", "Selesai"),
                                    ("escalated", "Eskalasi"),
                                    ("rejected", "Ditolak"),
                                    ("closed", "Ditutup"),
                                ],
                                max_length=12,
                                verbose_name="status",
                            ),
                        ),
                        ("count", models.PositiveIntegerField(verbose_name="jumlah")),
                        (
                            "office",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="tickets.office",
                                verbose_name="kantor",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "rekap status harian",
                        "verbose_name_plural": "rekap status harian",
                        "db_table": "helpdesk_dailystatuscount",
                        "indexes": [models.Index(fields=["office", "day"], name="dailycount_office_day")],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("office", "day", "status"), name="one_count_per_day_status"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
