from django.db import migrations


class Migration(migrations.Migration):
    """DailyStatusCount now belongs to the desk app (desk 0001): forget it here, keep its table."""

    dependencies = [
        ("helpdesk", "0003_admin_column_names"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DailyStatusCount")],
            database_operations=[],
        ),
    ]
