from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The supervisor's desk: dashboard, escalation desk, reports, subject access, retention."""

    name = "desk"
