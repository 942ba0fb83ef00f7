"""Supervisors' TOTP secrets encrypted at rest: a device model of our own, and every device that
django-otp's plain-hex table holds moved into it (encrypted) and deleted there."""

import core.crypto
import django.db.models.deletion
import django_otp.plugins.otp_totp.models
from django.conf import settings
from django.db import migrations, models


FIELDS = ["user_id", "name", "confirmed", "key", "step", "t0", "digits", "tolerance", "drift", "last_t"]


def move_plain_devices(apps, schema_editor):
    plain, encrypted = apps.get_model("otp_totp", "TOTPDevice"), apps.get_model("helpdesk", "EncryptedTOTPDevice")
    for device in plain.objects.all():
        encrypted.objects.create(**{name: getattr(device, name) for name in FIELDS})
    plain.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('helpdesk', '0001_initial'),
        ('otp_totp', '0003_add_timestamps'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='EncryptedTOTPDevice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='The human-readable name of this device.', max_length=64)),
                ('confirmed', models.BooleanField(default=True, help_text='Is this device ready for use?')),
                ('throttling_failure_timestamp', models.DateTimeField(blank=True, default=None, help_text='A timestamp of the last failed verification attempt. Null if last attempt succeeded.', null=True)),
                ('throttling_failure_count', models.PositiveIntegerField(default=0, help_text='Number of successive failed attempts.')),
                ('created_at', models.DateTimeField(auto_now_add=True, help_text='The date and time when this device was initially created in the system.', null=True)),
                ('last_used_at', models.DateTimeField(blank=True, help_text='The most recent date and time this device was used.', null=True)),
                ('key', core.crypto.EncryptedTextField(default=django_otp.plugins.otp_totp.models.default_key)),
                ('step', models.PositiveSmallIntegerField(default=30)),
                ('t0', models.BigIntegerField(default=0)),
                ('digits', models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)),
                ('tolerance', models.PositiveSmallIntegerField(default=1)),
                ('drift', models.SmallIntegerField(default=0)),
                ('last_t', models.BigIntegerField(default=-1)),
                ('user', models.ForeignKey(help_text='The user that this device belongs to.', on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'perangkat TOTP',
                'verbose_name_plural': 'perangkat TOTP',
                'abstract': False,
            },
        ),
        migrations.RunPython(move_plain_devices, migrations.RunPython.noop),
    ]
