"""The shared list-row filters: local times as the desk reads them, one colour per status."""

import datetime as dt

from django.template import Context, Template
from django.utils import timezone

from helpdesk.templatetags.sinkron import badge_class, short_datetime
from tickets.workflow import Status


def test_a_time_is_shown_in_jakarta_time_by_default():
    late_evening_utc = dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.UTC)
    assert short_datetime(late_evening_utc) == "30/11/2026 06:30"


def test_a_time_follows_the_active_time_zone():
    moment = dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.UTC)
    with timezone.override("Asia/Jayapura"):
        assert short_datetime(moment) == "30/11/2026 08:30"


def test_no_time_shows_nothing():
    assert short_datetime(None) == ""


def test_each_status_has_its_colour_and_anything_else_is_dark():
    colours = {status: badge_class(status) for status in Status.values}
    assert colours[Status.RESOLVED] == "text-bg-success" and colours[Status.REJECTED] == "text-bg-danger"
    assert len(set(colours.values())) == len(colours)
    assert badge_class("archived") == "text-bg-dark"


class _Ticket:
    status = Status.ESCALATED

    def get_status_display(self):
        return "Eskalasi <segera>"


def test_the_badge_tag_shows_the_status_label_escaped_in_its_colour():
    html = Template("{% load sinkron %}{% status_badge ticket %}").render(Context({"ticket": _Ticket()}))
    assert html == '<span class="badge status-badge text-bg-warning">Eskalasi &lt;segera&gt;</span>'
