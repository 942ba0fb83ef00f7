"""Lift the per-username lock (many wrong passwords from several addresses) before it ends."""

from django.core.management.base import BaseCommand

from helpdesk.security import unlock_username, username_locked


class Command(BaseCommand):
    help = "Lift the lock that many wrong passwords from several addresses put on a username."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        was_locked = username_locked(username)
        unlock_username(username)
        self.stdout.write(f"{username}: " + ("unlocked" if was_locked else "was not locked; counter reset"))
