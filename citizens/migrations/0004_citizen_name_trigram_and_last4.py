"""Indexes for the queue's search: a trigram index on the upper-cased name, and the NIK's last four.

The trigram index (and its pg_trgm extension) exist on PostgreSQL only; on SQLite, the demo's
database, the name search works unindexed.
"""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


class PostgresOnlyAddIndex(migrations.AddIndex):
    """AddIndex for an index only PostgreSQL can build (GIN); a no-op on other databases."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class PostgresOnlyTrigramExtension(TrigramExtension):
    """Django skips the extension going forwards on other databases, not going backwards."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("citizens", "0003_datacorrection"),
    ]

    operations = [
        PostgresOnlyTrigramExtension(),
        PostgresOnlyAddIndex(
            model_name="citizen",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("full_name"), name="gin_trgm_ops"
                ),
                name="citizen_name_trgm",
            ),
        ),
        migrations.AddIndex(
            model_name="citizen",
            index=models.Index(fields=["nik_last4"], name="citizen_nik_last4"),
        ),
    ]
