"""/audit/: supervisors read their office's trail, by ticket or staff member; nobody edits it."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from audit import services
from audit.models import AuditEntry
from tests.cast import make_staff
from tickets.permissions import SUPERVISOR_GROUP

pytestmark = pytest.mark.django_db
PAGE = reverse("audit:entries")


def record(actor=None, **extra):
    values = dict(action="view_full_nik", actor=actor, object_type="ticket", object_id="ABCDEFGHJK")
    values.update(extra)
    return services.record(**values)


def listed(response) -> list[int]:
    return [entry.sequence for entry in response.context["page"]]


@pytest.fixture
def trail(office, other_office, clerk, other_clerk, admin_user):
    """Entries of both offices: by their staff, and by an admin (no office) on each office's ticket."""
    return {
        "by_clerk": record(clerk, object_id="KUDUS23456", office="3319"),
        "by_other_clerk": record(other_clerk, object_id="SMRNG23456", office="3374"),
        "admin_on_ours": record(admin_user, object_id="KUDUS77777", office="3319"),
        "admin_on_theirs": record(admin_user, object_id="SMRNG77777", office="3374"),
        "clerk_on_citizen": record(clerk, action="correction", object_type="citizen", object_id=5),
        "system": record(None, action="retention_purge", object_type="system", object_id=""),
    }


class TestWhoMayRead:
    def test_anonymous_visitors_are_sent_to_the_login(self, client):
        response = client.get(PAGE)
        assert response.status_code == 302 and reverse("login") in response["Location"]

    def test_counter_staff_are_refused(self, clerk_client):
        assert clerk_client.get(PAGE).status_code == 403

    def test_supervisors_hold_the_permission_through_their_group(self, supervisor):
        assert supervisor.has_perm("audit.view_auditentry")

    def test_a_supervisor_without_an_office_is_refused(self, client):
        user = get_user_model().objects.create_user("tanpa_kantor")
        user.groups.add(Group.objects.get(name=SUPERVISOR_GROUP))
        client.force_login(user)
        assert client.get(PAGE).status_code == 403


class TestOfficeScope:
    def test_a_supervisor_sees_their_staffs_acts_and_acts_on_their_tickets(self, supervisor_client, trail):
        response = supervisor_client.get(PAGE)
        assert response.status_code == 200
        expected = [trail[name].sequence for name in ("clerk_on_citizen", "admin_on_ours", "by_clerk")]
        assert listed(response) == expected  # newest first

    def test_the_other_offices_supervisor_sees_theirs(self, client, other_office, trail):
        client.force_login(make_staff("supervisor_semarang", other_office, SUPERVISOR_GROUP))
        expected = [trail[name].sequence for name in ("admin_on_theirs", "by_other_clerk")]
        assert listed(client.get(PAGE)) == expected

    def test_an_admin_sees_every_entry(self, admin_client, trail):
        assert len(listed(admin_client.get(PAGE))) == len(trail)


class TestFilters:
    def test_by_ticket_code_as_printed_on_the_slip(self, supervisor_client, trail):
        response = supervisor_client.get(PAGE, {"ticket": "kudus-23456"})
        assert listed(response) == [trail["by_clerk"].sequence]
        assert "KUDUS-23456" in response.content.decode()

    def test_another_offices_ticket_shows_nothing(self, supervisor_client, trail):
        assert listed(supervisor_client.get(PAGE, {"ticket": "SMRNG-23456"})) == []

    def test_by_staff_username(self, supervisor_client, trail):
        response = supervisor_client.get(PAGE, {"staff": "petugas"})
        assert listed(response) == [trail["clerk_on_citizen"].sequence, trail["by_clerk"].sequence]

    def test_pages_keep_the_filter(self, supervisor_client, clerk, settings):
        settings.AUDIT_ENTRIES_PER_PAGE = 2
        for n in range(5):
            record(clerk, object_id=f"KUDUS2345{n}", office="3319")
        first = supervisor_client.get(PAGE, {"staff": "petugas"})
        assert len(listed(first)) == 2 and "?staff=petugas&page=2" in first.content.decode()
        last = supervisor_client.get(PAGE, {"staff": "petugas", "page": 3})
        assert listed(last) == [1]


class TestNobodyEditsIt:
    def test_the_page_is_read_only(self, supervisor_client, trail):
        assert supervisor_client.post(PAGE, {}).status_code == 405

    def test_the_admin_lists_and_shows_entries(self, admin_client, trail):
        assert admin_client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
        entry = trail["by_clerk"]
        html = admin_client.get(reverse("admin:audit_auditentry_change", args=[entry.pk])).content.decode()
        assert entry.hash in html and 'name="_save"' not in html

    def test_the_admin_refuses_to_add_change_or_delete(self, admin_client, trail):
        entry = trail["by_clerk"]
        change = reverse("admin:audit_auditentry_change", args=[entry.pk])
        assert admin_client.post(change, {"actor_label": "orang-lain"}).status_code == 403
        assert admin_client.get(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
        assert (
            admin_client.post(
                reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}
            ).status_code
            == 403
        )
        assert admin_client.get(reverse("admin:audit_auditentry_add")).status_code == 403
        admin_client.post(
            reverse("admin:audit_auditentry_changelist"),
            {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
        )
        assert AuditEntry.objects.count() == len(trail)
        entry.refresh_from_db()
        assert entry.actor_label == "petugas"
