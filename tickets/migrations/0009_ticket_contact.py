"""Contact data per ticket (security round two, finding 8): each ticket keeps the phone and e-mail
given with it, so an intake at another office no longer redirects this office's messages.

Existing tickets take their citizen's current contact, which is where their messages went so far.
"""

import core.crypto
from django.db import migrations
from django.db.models import OuterRef, Subquery


def copy_contact_from_citizens(apps, schema_editor):
    """Copy the stored tokens as they are, in one statement (no decryption; fast at 1M tickets)."""
    Citizen = apps.get_model("citizens", "Citizen")
    Ticket = apps.get_model("tickets", "Ticket")
    own = Citizen.objects.filter(pk=OuterRef("citizen_id"))
    Ticket.objects.update(phone=Subquery(own.values("phone")[:1]), email=Subquery(own.values("email")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("citizens", "0003_datacorrection"),
        ("tickets", "0008_event_kind_data_warning"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="email",
            field=core.crypto.EncryptedTextField(blank=True, verbose_name="E-mail"),
        ),
        migrations.AddField(
            model_name="ticket",
            name="phone",
            field=core.crypto.EncryptedTextField(blank=True, verbose_name="No. HP/WA"),
        ),
        migrations.RunPython(copy_contact_from_citizens, migrations.RunPython.noop, elidable=True),
    ]
