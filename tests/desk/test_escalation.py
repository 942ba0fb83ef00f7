import datetime as dt
import logging
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from citizens.models import PersonalDataAccess
from desk import centre
from desk import services as desk_services
from sync import tasks
from sync.models import SyncJob
from tests.cast import KK_NEW, NIK, make_staff, nik_with_serial
from tests.cast import complaint as make_complaint
from tickets import services
from tickets.models import Ticket, TicketEvent
from tickets.permissions import COUNTER_GROUP, SUPERVISOR_GROUP
from tickets.workflow import Status

pytestmark = pytest.mark.django_db
DESK = reverse("escalation:desk")
BULK = reverse("escalation:bulk")
SIXTEEN_DIGITS = re.compile(r"\d{16}")


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()  # "Cek sekarang" is rate-limited per ticket in the cache


@pytest.fixture
def published(monkeypatch):
    """Record what the desk publishes to the broker instead of publishing it."""
    calls = []
    for task in (tasks.expedite, tasks.push, tasks.check):
        monkeypatch.setattr(
            task, "apply_async", lambda args, _name=task.name, **options: calls.append((_name, args, options))
        )
    return calls


def open_ticket(office, clerk, serial, **overrides):
    return services.open_ticket(
        office=office, created_by=clerk, complaint=make_complaint(nik=nik_with_serial(serial), **overrides)
    )


def push(ticket, *, due_in=dt.timedelta(hours=24), accepted=False):
    """Put `ticket` in `sent` with its SLA (the promise from the counter) due `due_in` from now
    (negative: overdue)."""
    now = timezone.now()
    ticket = services.mark_pushed(
        ticket=ticket, accepted_at=now - dt.timedelta(hours=1), sla_due_at=now + due_in
    )
    Ticket.objects.filter(pk=ticket.pk).update(due_at=now + due_in)
    ticket.refresh_from_db()
    if accepted:
        SyncJob.objects.filter(ticket=ticket).update(state=SyncJob.State.ACCEPTED, update_id=f"u-{ticket.pk}")
    return ticket


def overdue(ticket, by):
    Ticket.objects.filter(pk=ticket.pk).update(due_at=timezone.now() - by)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def ticket(office, clerk):
    """A ticket the centre accepted 25 h ago and has not applied: 1 h past its SLA."""
    return push(open_ticket(office, clerk, 1), due_in=-dt.timedelta(hours=1, minutes=10), accepted=True)


def listed_codes(response):
    return [row.ticket.code for row in response.context["rows"]]


def copy_button(html, ticket) -> str:
    return re.search(rf'<button[^>]*data-copy-target="#msg-{ticket.code}"[^>]*>', html).group(0)


def message_url(ticket):
    return reverse("escalation:message", args=[ticket.code])


def contacted_url(ticket):
    return reverse("escalation:contacted", args=[ticket.code])


def page_messages(response):
    return [str(m) for m in response.context["messages"]]


class TestAccess:
    def test_counter_staff_are_refused_every_page_and_action(self, clerk_client, ticket, clerk):
        assert clerk_client.get(DESK).status_code == 403
        assert clerk_client.post(message_url(ticket)).status_code == 403
        assert clerk_client.post(contacted_url(ticket), {"channel": "whatsapp"}).status_code == 403
        assert clerk_client.post(BULK, {"tickets": [ticket.code], "action": "check"}).status_code == 403
        assert not PersonalDataAccess.objects.exists()
        assert not ticket.events.filter(kind=TicketEvent.Kind.ESCALATION).exists()

    def test_anonymous_visitors_are_sent_to_the_login_page(self, client):
        response = client.get(DESK)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))

    def test_a_supervisor_without_an_office_is_refused(self, client, office):
        user = get_user_model().objects.create_user("tanpa_kantor", password="x")
        user.groups.add(Group.objects.get(name=SUPERVISOR_GROUP))
        client.force_login(user)
        assert client.get(DESK).status_code == 403

    def test_actions_refuse_get(self, supervisor_client, ticket):
        assert supervisor_client.get(message_url(ticket)).status_code == 405
        assert supervisor_client.get(contacted_url(ticket)).status_code == 405
        assert supervisor_client.get(BULK).status_code == 405


class TestList:
    def test_it_lists_overdue_and_escalated_tickets_of_the_office_oldest_due_first(
        self, supervisor_client, office, clerk, supervisor, other_office, other_clerk
    ):
        late_5h = overdue(push(open_ticket(office, clerk, 1)), dt.timedelta(hours=5))
        late_2d = overdue(push(open_ticket(office, clerk, 2)), dt.timedelta(days=2))
        escalated = services.escalate_ticket(
            ticket=push(open_ticket(office, clerk, 3)), actor=None, reason="Pengiriman gagal berulang."
        )
        new_and_late = overdue(open_ticket(office, clerk, 4), dt.timedelta(minutes=30))
        push(open_ticket(office, clerk, 5))  # sent, within its SLA
        open_ticket(office, clerk, 6)  # new, within its SLA
        closed = open_ticket(office, clerk, 7)
        services.close_ticket(ticket=closed, actor=supervisor, reason="Duplikat.")
        overdue(closed, dt.timedelta(days=3))  # final: no longer the desk's business
        overdue(push(open_ticket(other_office, other_clerk, 8)), dt.timedelta(days=4))

        response = supervisor_client.get(DESK)

        assert response.status_code == 200
        assert listed_codes(response) == [late_2d.code, late_5h.code, new_and_late.code, escalated.code]

    def test_the_time_past_the_sla_is_told_in_indonesian(self, supervisor_client, office, clerk):
        overdue(push(open_ticket(office, clerk, 1)), dt.timedelta(hours=5, minutes=10))
        overdue(push(open_ticket(office, clerk, 2)), dt.timedelta(days=2, hours=3, minutes=1))
        overdue(push(open_ticket(office, clerk, 3)), dt.timedelta(minutes=12, seconds=5))
        html = supervisor_client.get(DESK).content.decode()
        assert "lewat 5 jam" in html and "lewat 2 hari 3 jam" in html and "lewat 12 menit" in html

    def test_an_escalated_ticket_not_yet_past_its_sla_says_so(self, supervisor_client, office, clerk):
        services.escalate_ticket(
            ticket=push(open_ticket(office, clerk, 1)), actor=None, reason="Gagal kirim."
        )
        assert "belum lewat SLA" in supervisor_client.get(DESK).content.decode()

    def test_the_page_costs_the_same_number_of_queries_for_3_or_30_tickets(
        self, supervisor_client, office, clerk, supervisor, settings
    ):
        settings.TICKETS_PER_PAGE = 50

        def measure():
            with CaptureQueriesContext(connection) as queries:
                assert supervisor_client.get(DESK).status_code == 200
            return len(queries)

        for serial in range(1, 4):
            t = overdue(push(open_ticket(office, clerk, serial), accepted=True), dt.timedelta(hours=serial))
            desk_services.record_escalation_contact(ticket=t, actor=supervisor, channel="whatsapp", note="")
        few = measure()
        for serial in range(4, 31):
            overdue(push(open_ticket(office, clerk, serial)), dt.timedelta(hours=serial))
        assert measure() == few

    def test_it_paginates(self, supervisor_client, office, clerk, settings):
        settings.TICKETS_PER_PAGE = 2
        tickets = [
            overdue(push(open_ticket(office, clerk, n)), dt.timedelta(hours=10 - n)) for n in range(1, 4)
        ]
        second = supervisor_client.get(DESK, {"page": 2})
        assert listed_codes(second) == [tickets[2].code]

    def test_the_last_contact_with_the_centre_is_shown(self, supervisor_client, ticket, supervisor):
        desk_services.record_escalation_contact(
            ticket=ticket, actor=supervisor, channel="halo_dukcapil", note=""
        )
        html = supervisor_client.get(DESK).content.decode()
        assert "Terakhir dihubungi" in html and "oleh supervisor" in html and "Halo Dukcapil 1500537" in html


class TestMessage:
    def test_the_page_shows_the_centres_format_with_nik_and_kk_masked(self, supervisor_client, ticket):
        html = supervisor_client.get(DESK).content.decode()
        sent = timezone.localtime(ticket.sent_at).strftime("%d/%m/%Y %H:%M")
        expected = (
            f"#************0001#Siti_Rahayu#************0002#081234567890#-#"
            f"Tiket {ticket.display_code}: KK baru belum terkonsolidasi; dikirim ke pusat {sent} WIB, "
            f"belum sinkron melewati SLA 1x24 jam"
        )
        assert expected in html
        assert NIK not in html and KK_NEW not in html

    def test_the_full_message_comes_by_post_and_the_access_is_recorded(
        self, supervisor_client, supervisor, ticket
    ):
        response = supervisor_client.post(message_url(ticket), HTTP_HX_REQUEST="true", REMOTE_ADDR="10.1.2.3")
        html = response.content.decode()
        assert response.status_code == 200
        assert f"#{NIK}#Siti_Rahayu#{KK_NEW}#081234567890#-#Tiket {ticket.display_code}" in html
        assert html.lstrip().startswith("<pre") and f'id="msg-{ticket.code}"' in html  # the htmx fragment
        assert response["Cache-Control"] == "no-store"
        access = PersonalDataAccess.objects.get()
        assert (access.viewer, access.citizen, access.purpose, access.ip_address) == (
            supervisor,
            ticket.citizen,
            f"eskalasi {ticket.code}",
            "10.1.2.3",
        )

    def test_without_htmx_the_full_message_comes_as_a_page(self, supervisor_client, ticket):
        response = supervisor_client.post(message_url(ticket))
        assert response.status_code == 200 and "<html" in response.content.decode()
        assert NIK in response.content.decode() and PersonalDataAccess.objects.count() == 1

    def test_copying_is_disabled_until_the_full_message_is_shown(self, supervisor_client, ticket):
        html = supervisor_client.get(DESK).content.decode()
        button = copy_button(html, ticket)
        assert " disabled" in button and f'aria-describedby="copy-hint-{ticket.code}"' in button
        assert "Tampilkan pesan lengkap dulu untuk menyalin." in html
        assert f'id="msg-{ticket.code}" data-full="0"' in html

    def test_the_revealed_message_is_the_copy_source_and_the_copy_is_announced(
        self, supervisor_client, ticket
    ):
        fragment = supervisor_client.post(message_url(ticket), HTTP_HX_REQUEST="true").content.decode()
        assert f'id="msg-{ticket.code}" data-full="1"' in fragment and NIK in fragment
        page = supervisor_client.post(message_url(ticket)).content.decode()
        button = copy_button(page, ticket)
        assert " disabled" not in button
        assert f'id="copy-status-{ticket.code}"' in page and 'data-copied-text="Pesan disalin"' in page
        assert 'role="status" aria-live="polite"' in page

    def test_a_name_and_text_with_hashes_cannot_break_the_format(self, office, clerk):
        ticket = push(open_ticket(office, clerk, 1, full_name="Siti #Rahayu  Putri"))
        message = centre.escalation_message(ticket)
        assert message.split("#")[2] == "Siti_Rahayu_Putri" and message.count("#") == 6

    def test_a_ticket_the_centre_never_accepted_says_so(self, office, clerk):
        message = centre.escalation_message(open_ticket(office, clerk, 1, phone=""))
        assert message.endswith("KK baru belum terkonsolidasi; data belum diterima pusat")
        assert message.split("#")[4:6] == ["-", "-"]  # no phone, no e-mail

    def test_the_citizens_e_mail_fills_its_field_when_given_at_intake(self, office, clerk):
        message = centre.escalation_message(push(open_ticket(office, clerk, 1, email="siti@contoh.id")))
        assert message.split("#")[5] == "siti@contoh.id"

    def test_no_link_on_the_page_carries_a_nik(self, supervisor_client, ticket):
        html = supervisor_client.get(DESK).content.decode()
        links = re.findall(r'(?:href|action|src|hx-post|hx-get)="([^"]*)"', html)
        assert links and not [link for link in links if SIXTEEN_DIGITS.search(link) or "text=" in link]
        assert 'href="https://wa.me/628118005373"' in html
        assert f'data-copy-target="#msg-{ticket.code}"' in html

    def test_the_whatsapp_link_falls_back_to_the_centres_number(self, supervisor_client, office, ticket):
        office.central_contact_whatsapp = ""
        office.save()
        assert 'href="https://wa.me/628118005373"' in supervisor_client.get(DESK).content.decode()

    def test_no_inline_script_on_the_page(self, supervisor_client, ticket):
        html = supervisor_client.get(DESK).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " onclick=" not in html

    def test_another_offices_ticket_is_not_found_and_nothing_is_recorded(
        self, supervisor_client, other_office, other_clerk
    ):
        theirs = push(open_ticket(other_office, other_clerk, 9))
        assert supervisor_client.post(message_url(theirs)).status_code == 404
        assert not PersonalDataAccess.objects.exists()


class TestContacted:
    def test_it_escalates_a_sent_ticket_once_and_records_who_and_which_channel(
        self, supervisor_client, supervisor, office, clerk, published
    ):
        ticket = overdue(push(open_ticket(office, clerk, 1)), dt.timedelta(hours=2))
        first = supervisor_client.post(
            contacted_url(ticket), {"channel": "whatsapp", "note": "Diterima Pak Andi."}
        )
        again = supervisor_client.post(contacted_url(ticket), {"channel": "halo_dukcapil"})
        assert first.status_code == again.status_code == 302

        ticket.refresh_from_db()
        assert ticket.status == Status.ESCALATED
        assert ticket.events.filter(kind=TicketEvent.Kind.STATUS, to_status=Status.ESCALATED).count() == 1
        contacts = list(ticket.events.filter(kind=TicketEvent.Kind.ESCALATION))
        assert [(e.actor, e.details) for e in contacts] == [
            (supervisor, {"channel": "whatsapp"}),
            (supervisor, {"channel": "halo_dukcapil"}),
        ]
        assert contacts[0].message == (
            "Petugas pusat dihubungi lewat WhatsApp 0811-800-5373. Catatan: Diterima Pak Andi."
        )

    def test_the_contact_shows_on_the_ticket_timeline(self, supervisor_client, ticket):
        supervisor_client.post(contacted_url(ticket), {"channel": "email"})
        html = supervisor_client.get(reverse("tickets:detail", args=[ticket.code])).content.decode()
        assert "Eskalasi ke pusat" in html and "Bambang" in html and "lewat E-mail" in html

    def test_a_new_ticket_gets_the_contact_but_keeps_its_status(self, supervisor, office, clerk):
        ticket = open_ticket(office, clerk, 1)
        desk_services.record_escalation_contact(ticket=ticket, actor=supervisor, channel="email", note="")
        ticket.refresh_from_db()
        assert ticket.status == Status.NEW
        assert ticket.events.filter(kind=TicketEvent.Kind.ESCALATION).count() == 1

    def test_it_publishes_the_registrys_expedite_after_commit(
        self, supervisor_client, ticket, published, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            supervisor_client.post(contacted_url(ticket), {"channel": "whatsapp"})
        job = SyncJob.objects.get(ticket=ticket)
        assert published == [("sync.tasks.expedite", (job.pk,), {"retry": False})]

    def test_no_expedite_when_the_centre_has_not_accepted_the_data(
        self, supervisor_client, office, clerk, published, django_capture_on_commit_callbacks
    ):
        ticket = overdue(open_ticket(office, clerk, 1), dt.timedelta(hours=1))
        with django_capture_on_commit_callbacks(execute=True):
            supervisor_client.post(contacted_url(ticket), {"channel": "whatsapp"})
        assert published == []
        assert ticket.events.filter(kind=TicketEvent.Kind.ESCALATION).exists()

    def test_a_broker_error_is_logged_and_never_a_500(
        self, supervisor_client, ticket, monkeypatch, caplog, django_capture_on_commit_callbacks
    ):
        def broker_down(*args, **kwargs):
            raise ConnectionRefusedError("redis down")

        monkeypatch.setattr(tasks.expedite, "apply_async", broker_down)
        caplog.set_level(logging.WARNING, logger="desk.views.escalation")
        with django_capture_on_commit_callbacks(execute=True):
            response = supervisor_client.post(contacted_url(ticket), {"channel": "whatsapp"}, follow=True)
        assert response.status_code == 200
        assert "Eskalasi tiket" in response.content.decode()
        assert ticket.events.filter(kind=TicketEvent.Kind.ESCALATION).exists()
        assert "could not publish sync.tasks.expedite" in caplog.text

    def test_a_nik_pasted_into_the_note_is_stored_masked(self, supervisor_client, ticket):
        supervisor_client.post(
            contacted_url(ticket), {"channel": "whatsapp", "note": f"Pesan #{NIK}#Siti terkirim"}
        )
        event = ticket.events.get(kind=TicketEvent.Kind.ESCALATION)
        assert NIK not in event.message and "************0001" in event.message

    def test_a_final_ticket_is_refused_with_a_message(self, supervisor_client, supervisor, ticket, published):
        services.close_ticket(ticket=ticket, actor=supervisor, reason="Dicabut.")
        response = supervisor_client.post(contacted_url(ticket), {"channel": "whatsapp"}, follow=True)
        assert any("Tiket sudah final" in m for m in page_messages(response))
        assert not ticket.events.filter(kind=TicketEvent.Kind.ESCALATION).exists()
        assert published == []

    def test_an_unknown_channel_is_refused(self, supervisor_client, ticket):
        response = supervisor_client.post(contacted_url(ticket), {"channel": "fax"}, follow=True)
        assert page_messages(response) == [
            f"{ticket.display_code}: Masukkan pilihan yang valid. fax bukan salah satu dari pilihan yang tersedia."
        ]
        assert not ticket.events.filter(kind=TicketEvent.Kind.ESCALATION).exists()
        ticket.refresh_from_db()
        assert ticket.status == Status.SENT

    def test_another_offices_ticket_is_not_found_and_untouched(
        self, supervisor_client, other_office, other_clerk
    ):
        theirs = push(open_ticket(other_office, other_clerk, 9))
        assert supervisor_client.post(contacted_url(theirs), {"channel": "whatsapp"}).status_code == 404
        theirs.refresh_from_db()
        assert (
            theirs.status == Status.SENT
            and not theirs.events.filter(kind=TicketEvent.Kind.ESCALATION).exists()
        )


class TestBulk:
    @pytest.fixture
    def late(self, office, clerk):
        return [overdue(push(open_ticket(office, clerk, n)), dt.timedelta(hours=n)) for n in (1, 2)]

    def test_reassigning_gives_each_ticket_to_the_staff_member_and_records_it(
        self, supervisor_client, office, late
    ):
        colleague = make_staff("petugas2", office, COUNTER_GROUP)
        response = supervisor_client.post(
            BULK,
            {"tickets": [t.code for t in late], "action": "assign", "assignee": colleague.pk},
            follow=True,
        )
        assert "2 tiket berhasil diproses" in page_messages(response)[0]
        for ticket in late:
            ticket.refresh_from_db()
            assert ticket.assignee == colleague
            assert ticket.events.filter(
                kind=TicketEvent.Kind.ASSIGNED, details={"assignee_id": colleague.pk}
            ).exists()

    def test_reassigning_to_staff_of_another_office_is_refused(
        self, supervisor_client, late, other_clerk, clerk
    ):
        response = supervisor_client.post(
            BULK, {"tickets": [late[0].code], "action": "assign", "assignee": other_clerk.pk}
        )
        assert response.status_code == 400 and response.context["bulk_form"].errors["assignee"]
        late[0].refresh_from_db()
        assert late[0].assignee == clerk

    def test_reassigning_needs_a_staff_member(self, supervisor_client, late):
        response = supervisor_client.post(BULK, {"tickets": [late[0].code], "action": "assign"})
        assert response.status_code == 400
        assert response.context["bulk_form"].errors["assignee"] == ["Pilih petugas tujuan."]

    def test_closing_needs_a_reason(self, supervisor_client, late):
        response = supervisor_client.post(
            BULK, {"tickets": [late[0].code], "action": "close_duplicate", "reason": " "}
        )
        assert response.status_code == 400
        assert response.context["bulk_form"].errors["reason"] == ["Alasan wajib diisi untuk menutup tiket."]
        late[0].refresh_from_db()
        assert late[0].status == Status.SENT

    def test_nothing_ticked_is_a_field_error(self, supervisor_client):
        response = supervisor_client.post(BULK, {"action": "check"})
        assert response.status_code == 400
        assert response.context["bulk_form"].errors["tickets"] == ["Pilih minimal satu tiket."]

    def test_closing_reports_which_succeeded_and_which_failed_and_why(
        self, supervisor_client, supervisor, late
    ):
        services.close_ticket(ticket=late[1], actor=supervisor, reason="Sudah ditutup.")
        response = supervisor_client.post(
            BULK,
            {
                "tickets": [t.code for t in late],
                "action": "close_withdrawn",
                "reason": "Pemohon membatalkan.",
            },
            follow=True,
        )
        shown = page_messages(response)
        assert shown[0] == f"1 tiket berhasil diproses: {late[0].display_code}."
        assert shown[1] == "1 tiket gagal diproses."
        assert shown[2] == f"{late[1].display_code}: Status tiket tidak dapat diubah dari Ditutup ke Ditutup."
        late[0].refresh_from_db()
        assert (
            late[0].status == Status.CLOSED
            and late[0].outcome_note == "Dicabut pemohon: Pemohon membatalkan."
        )
        assert (
            late[0]
            .events.filter(kind=TicketEvent.Kind.STATUS, to_status=Status.CLOSED, actor=supervisor)
            .exists()
        )

    def test_another_offices_ticket_is_reported_not_found_and_never_acted_on(
        self, supervisor_client, late, other_office, other_clerk
    ):
        theirs = push(open_ticket(other_office, other_clerk, 9))
        response = supervisor_client.post(
            BULK,
            {
                "tickets": [late[0].code, theirs.code, "ZZZZZZZZZZ"],
                "action": "close_duplicate",
                "reason": "Duplikat.",
            },
            follow=True,
        )
        shown = page_messages(response)
        assert f"{theirs.display_code}: Tiket tidak ditemukan." in shown
        assert "ZZZZZ-ZZZZZ: Tiket tidak ditemukan." in shown
        theirs.refresh_from_db()
        assert theirs.status == Status.SENT and theirs.events.count() == 2  # opened, sent
        late[0].refresh_from_db()
        assert late[0].status == Status.CLOSED

    def test_check_now_nudges_accepted_tickets_and_reports_the_refused_ones(
        self,
        supervisor_client,
        supervisor,
        office,
        clerk,
        late,
        published,
        django_capture_on_commit_callbacks,
    ):
        accepted = push(open_ticket(office, clerk, 3), due_in=-dt.timedelta(hours=3), accepted=True)
        with django_capture_on_commit_callbacks(execute=True):
            response = supervisor_client.post(
                BULK, {"tickets": [accepted.code, late[0].code], "action": "check"}, follow=True
            )
        assert response.status_code == 200
        shown = page_messages(response)
        assert shown[0] == f"1 tiket berhasil diproses: {accepted.display_code}."
        assert (
            shown[2] == f"{late[0].display_code}: Tiket ini belum diterima pusat; belum ada yang bisa dicek."
        )
        job = SyncJob.objects.get(ticket=accepted)
        assert published == [("sync.tasks.check", (job.pk,), {"retry": False})]
        assert accepted.events.filter(kind=TicketEvent.Kind.SYNC, actor=supervisor).exists()

    def test_check_now_twice_in_a_row_is_refused_the_second_time_not_a_500(
        self, supervisor_client, office, clerk, published
    ):
        accepted = push(open_ticket(office, clerk, 3), due_in=-dt.timedelta(hours=3), accepted=True)
        supervisor_client.post(BULK, {"tickets": [accepted.code], "action": "check"})
        response = supervisor_client.post(BULK, {"tickets": [accepted.code], "action": "check"}, follow=True)
        assert any(m.startswith(f"{accepted.display_code}: Tunggu") for m in page_messages(response))

    def test_the_desk_offers_the_bulk_form_with_checkboxes_bound_to_it(self, supervisor_client, late):
        html = supervisor_client.get(DESK).content.decode()
        assert f'name="tickets" value="{late[0].code}" form="bulk-form"' in html
        assert f'action="{BULK}" id="bulk-form"' in html


class TestHumanizedDuration:
    @pytest.mark.parametrize(
        "delta, words",
        [
            (dt.timedelta(seconds=30), "kurang dari 1 menit"),
            (dt.timedelta(minutes=1), "1 menit"),
            (dt.timedelta(hours=1, minutes=59), "1 jam"),
            (dt.timedelta(days=1), "1 hari"),
            (dt.timedelta(days=3, hours=23, minutes=59), "3 hari 23 jam"),
        ],
    )
    def test_it_uses_the_two_largest_units(self, delta, words):
        assert centre.humanize_duration(delta) == words
