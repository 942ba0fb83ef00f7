"""A family's new KK pushed as one update (families.services.family_push), against a scripted registry.

The real registry process is in tests/integration/test_family_push.py; these pin the decisions:
when a group goes as a family, how each answer moves every member, and the crash safety of the push.
"""

import datetime as dt
import json

import httpx
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from families import services, tasks
from families.models import FamilyPush
from families.refusals import refusal_problems
from sync import registry, sweep
from sync import services as sync_services
from sync.models import SyncAttempt, SyncJob
from tests.cast import KK_NEW, NIK, complaint
from tests.families.conftest import reload
from tests.families.support import DAUGHTER, HUSBAND, SON, family_kk, person_nik, row, write_csv
from tests.sync.fake_registry import ScriptedRegistry
from tickets import services as ticket_services
from tickets.models import Ticket, TicketEvent
from tickets.workflow import Status

pytestmark = pytest.mark.django_db
State = FamilyPush.State
MEMBERS = (HUSBAND, DAUGHTER, SON)


@pytest.fixture(autouse=True)
def sync_settings(settings):
    settings.SYNC_MAX_PUSH_ATTEMPTS = 3
    settings.REGISTRY_BREAKER_THRESHOLD = 1000
    cache.clear()


def entry(member: dict) -> services.MemberEntry:
    birth = dt.date.fromisoformat(member["birth_date"])
    data = complaint(
        nik=member["nik"], full_name=member["full_name"], birth_date=birth, sex=member["sex"], phone=""
    )
    return services.MemberEntry(complaint=data, relation=member["relation"])


def family(office, clerk, members=MEMBERS, applicant_relation="istri"):
    """The cast's applicant (wife) and `members`, all on KK_NEW, through the counter's service."""
    entries = [services.MemberEntry(complaint=complaint(), relation=applicant_relation)]
    return services.open_family_group(
        office=office, created_by=clerk, kk_number=KK_NEW, members=entries + [entry(m) for m in members]
    )


def api(script):
    return registry.RegistryClient(
        base_url="http://registry.test/api/v1", token="t", transport=script.transport()
    )


def job_states(group):
    return sorted(
        SyncJob.objects.filter(ticket__family_memberships__group=group).values_list("state", flat=True)
    )


def statuses(group):
    return set(Ticket.objects.filter(family_memberships__group=group).values_list("status", flat=True))


def make_due(push):
    FamilyPush.objects.filter(pk=push.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))


REFUSAL = {
    "error": "family_refused",
    "detail": "Pembaruan KK ditolak seluruhnya: periksa anggota yang disebut.",
    "members": [
        {"nik": "************0001", "error": "not_in_family", "detail": "..."},
        {"nik": "************0042", "error": "family_member_missing", "detail": "..."},
    ],
}


# --- when a group goes as a family --------------------------------------------------------------


def test_a_complete_counter_family_holds_every_members_job_behind_one_pending_push(office, clerk):
    group = family(office, clerk)

    push = FamilyPush.objects.get(group=group)
    assert push.state == State.PENDING and push.payload_json == ""
    assert job_states(group) == [SyncJob.State.HELD] * 4
    # A member's own push and the sweeper leave a held job alone.
    job = SyncJob.objects.filter(ticket__family_memberships__group=group).first()
    assert sync_services.push_job(job.pk, client=api(ScriptedRegistry())) == "skipped"
    assert job.pk not in {job_id for job_id, _state in sweep.due_jobs()}
    assert services.due_pushes() == [push.pk]


def test_a_family_without_a_head_goes_member_by_member_and_says_why(office, clerk):
    group = family(office, clerk, members=(DAUGHTER, SON))

    push = FamilyPush.objects.get(group=group)
    assert push.state == State.SPLIT and "Kepala Keluarga tidak tercantum" in push.last_error
    assert job_states(group) == [SyncJob.State.PENDING] * 3


def test_a_member_linked_to_an_open_ticket_makes_the_family_go_member_by_member(office, clerk):
    ticket_services.open_ticket(office=office, created_by=clerk, complaint=entry(SON).complaint)
    group = family(office, clerk)

    push = FamilyPush.objects.get(group=group)
    assert push.state == State.SPLIT and "sudah terbuka sebelumnya" in push.last_error
    assert SyncJob.State.HELD not in job_states(group)


def test_a_held_members_sync_panel_says_so_and_keeps_watching(office, clerk, clerk_client):
    ticket = family(office, clerk).members.first().ticket

    html = clerk_client.get(reverse("sync:panel", args=[ticket.code])).content.decode()

    assert 'id="sync-held"' in html and "hx-trigger" in html and "Kirim ulang" not in html


def test_the_staff_repush_of_a_held_member_points_to_the_family_page(office, clerk):
    group = family(office, clerk)
    ticket = group.members.first().ticket

    with pytest.raises(sync_services.StaffActionRefused, match="dikirim bersama KK keluarganya"):
        sync_services.request_repush(ticket=ticket, actor=clerk)


# --- the centre's answers -----------------------------------------------------------------------


def test_an_accepted_family_update_sends_every_member_under_its_one_update_id(office, clerk, clerk_client):
    group = family(office, clerk)
    push = group.push
    script = ScriptedRegistry().answer(202, {"update_id": "fam-1", "status": "accepted"})

    assert services.push_family(push.pk, client=api(script)) == "accepted"

    request = script.requests[0]
    assert request.method == "PUT" and request.url.path == f"/api/v1/families/{KK_NEW}"
    assert request.headers["Idempotency-Key"] == str(push.idempotency_key)
    body = json.loads(request.content)
    assert body["head_nik"] == HUSBAND["nik"] and body["kk_number"] == KK_NEW
    assert sorted(body["members"]) == sorted([NIK] + [m["nik"] for m in MEMBERS])
    assert reload_push(push).state == State.ACCEPTED and reload_push(push).update_id == "fam-1"
    jobs = SyncJob.objects.filter(ticket__family_memberships__group=group)
    assert {(j.state, j.update_id) for j in jobs} == {(SyncJob.State.ACCEPTED, "fam-1")}
    assert statuses(group) == {Status.SENT}
    assert SyncAttempt.objects.filter(job__in=jobs, outcome="accepted").count() == 4
    html = clerk_client.get(reverse("families:group", args=[group.pk])).content.decode()
    assert 'data-state="accepted"' in html and "satu pembaruan KK untuk 4 anggota" in html


def test_each_member_of_an_accepted_family_is_then_checked_and_resolved_on_its_own(office, clerk):
    group = family(office, clerk)
    services.push_family(group.push.pk, client=api(ScriptedRegistry().answer(202, {"update_id": "fam-1"})))
    job = SyncJob.objects.get(ticket__citizen__full_name="Budi Santoso")
    SyncJob.objects.filter(pk=job.pk).update(next_attempt_at=timezone.now())
    resident = {k: HUSBAND[k] for k in ("nik", "full_name", "birth_date", "sex")} | {"kk_number": KK_NEW}
    script = ScriptedRegistry().answer(200, {"status": "applied"}).answer(200, resident)

    assert sync_services.check_job(job.pk, client=api(script)) == "centre_applied"  # then the portal

    assert script.requests[0].url.path == "/api/v1/updates/fam-1"
    assert Ticket.objects.get(pk=job.ticket_id).status == Status.CENTRE_APPLIED


def test_a_refused_family_puts_every_member_in_action_needed_with_the_centres_reasons(office, clerk):
    group = family(office, clerk)
    script = ScriptedRegistry().answer(422, REFUSAL)

    assert services.push_family(group.push.pk, client=api(script)) == "familyrefused"

    push = reload_push(group.push)
    assert push.state == State.REFUSED and push.refusal["code"] == "family_refused"
    assert push.refusal["members"] == [
        {"last4": "0001", "error": "not_in_family"},
        {"last4": "0042", "error": "family_member_missing"},
    ]
    assert statuses(group) == {Status.ACTION_NEEDED}
    assert job_states(group) == [SyncJob.State.REJECTED] * 4
    events = TicketEvent.objects.filter(to_status=Status.ACTION_NEEDED)
    assert events.count() == 4 and all(e.actor is None for e in events)
    message = events.first().message
    assert "ditolak" in message.lower() or "menolak" in message
    assert "************0001 tidak tercatat sebagai anggota KK ini di pusat" in message
    assert "(NIK ************0042) tidak ikut diajukan" in message
    assert events.first().details["reason_code"] == "family_refused"


def test_the_group_page_shows_the_refusal_member_by_member(office, clerk, clerk_client):
    group = family(office, clerk)
    services.push_family(group.push.pk, client=api(ScriptedRegistry().answer(422, REFUSAL)))

    html = clerk_client.get(reverse("families:group", args=[group.pk])).content.decode()

    assert 'data-state="refused"' in html and "menolak pembaruan KK keluarga seluruhnya" in html
    assert "tidak ikut diajukan" in html and HUSBAND["nik"] not in html and NIK not in html


def test_a_refusal_names_a_member_whose_last_four_digits_are_theirs_alone():
    refusal = {"members": [{"last4": "0005", "error": "nik_inactive"}, {"last4": "0001", "error": "odd"}]}
    problems = refusal_problems(refusal, {"0005": "Slamet"})
    assert problems == [
        "Slamet: NIK ************0005 nonaktif: aktivasi di loket dengan KTP-el",
        "NIK ************0001 ditolak pusat",
    ]
    assert refusal_problems({"code": "documents_required"})[0].startswith(
        "Nomor KK ini belum dikenal di pusat"
    )


def test_a_centre_that_keeps_failing_lets_the_members_go_one_by_one(office, clerk, settings):
    group = family(office, clerk)
    script = ScriptedRegistry()
    for _ in range(3):
        script.answer(503, {"error": "outage"})
    for _ in range(3):
        make_due(group.push)
        services.push_family(group.push.pk, client=api(script))

    push = reload_push(group.push)
    assert push.state == State.SPLIT and "gagal 3 kali" in push.last_error
    assert job_states(group) == [SyncJob.State.PENDING] * 4 and statuses(group) == {Status.NEW}


# --- crash safety --------------------------------------------------------------------------------


class WorkerKilled(BaseException):
    """The worker process dying in the middle of the call (no except clause catches it)."""


def test_a_lost_answer_and_a_crashed_worker_re_push_the_same_body_under_the_same_key(office, clerk, settings):
    group = family(office, clerk)
    push = group.push
    script = ScriptedRegistry().fail(httpx.RemoteProtocolError("Server disconnected")).fail(WorkerKilled())
    script.answer(202, {"update_id": "fam-1"})

    assert services.push_family(push.pk, client=api(script)) == "retry"  # the answer was lost
    make_due(push)
    with pytest.raises(WorkerKilled):  # the next worker dies holding the lease
        services.push_family(push.pk, client=api(script))
    assert services.push_family(push.pk, client=api(script)) == "skipped"  # the lease still holds
    later = timezone.now() + dt.timedelta(seconds=settings.SYNC_CLAIM_SECONDS + 1)
    assert services.push_family(push.pk, client=api(script), now=later) == "accepted"

    assert len(script.requests) == 3
    assert {r.headers["Idempotency-Key"] for r in script.requests} == {str(push.idempotency_key)}
    assert len({r.content for r in script.requests}) == 1
    assert statuses(group) == {Status.SENT}


def test_a_push_that_kept_crashing_goes_member_by_member(office, clerk):
    group = family(office, clerk)
    FamilyPush.objects.filter(pk=group.push.pk).update(attempts=3, payload_json='{"kk_number": "x"}')

    assert services.push_family(group.push.pk, client=api(ScriptedRegistry())) == "split"
    assert job_states(group) == [SyncJob.State.PENDING] * 4


def test_the_sweep_publishes_a_due_push_once_until_it_is_claimed(office, clerk, monkeypatch):
    group = family(office, clerk)
    published = []
    monkeypatch.setattr(tasks, "publish", lambda task, args, **kw: published.append(args) or True)

    assert tasks.sweep_family_pushes() == 1 and tasks.sweep_family_pushes() == 0
    assert published == [(group.push.pk,)]


def reload_push(push) -> FamilyPush:
    return FamilyPush.objects.get(pk=push.pk)


# --- the proactive import ------------------------------------------------------------------------


def test_an_imports_families_wait_for_the_batch_and_then_go_as_families_or_one_by_one(
    make_batch, tmp_path, supervisor, settings
):
    settings.FAMILY_IMPORT_TICKET_CHUNK = 2  # a family split across chunks still goes as one
    kk_a, kk_b = family_kk(0), family_kk(1)
    path = write_csv(
        tmp_path / "kk.csv",
        [
            row(kk_a, person_nik(0), "AGUS", relation="Kepala Keluarga"),
            row(kk_a, person_nik(1, female=True), "RINA", sex="P", relation="Istri"),
            row(kk_a, person_nik(2), "ADI", relation="Anak"),
            row(kk_b, person_nik(3), "SENDIRI", relation="Kepala Keluarga"),
        ],
    )
    batch = make_batch(path)
    assert tasks.validate_import(batch.pk) == "done"
    services.confirm_batch(batch=reload(batch), actor=supervisor)
    assert services.import_batch(batch.pk, budget_seconds=0) == "more"  # one chunk, then out of time
    assert set(FamilyPush.objects.values_list("state", flat=True)) == {State.ASSEMBLING}
    assert services.import_batch(batch.pk) == "done"

    pushes = {p.group.kk_number: p for p in FamilyPush.objects.select_related("group")}
    assert {p.state for p in pushes.values()} == {State.PENDING}
    assert SyncJob.objects.filter(state=SyncJob.State.HELD).count() == 4
    assert services.push_family(pushes[kk_b].pk, client=api(ScriptedRegistry())) == "split"
    assert job_states(pushes[kk_b].group) == [SyncJob.State.PENDING]
    script = ScriptedRegistry().answer(202, {"update_id": "fam-a"})
    assert services.push_family(pushes[kk_a].pk, client=api(script)) == "accepted"
    assert json.loads(script.requests[0].content)["head_nik"] == person_nik(0)
    assert statuses(pushes[kk_a].group) == {Status.SENT}


def test_retention_erases_the_members_nik_from_a_past_family_update(office, clerk):
    from desk import retention

    group = family(office, clerk)
    services.push_family(group.push.pk, client=api(ScriptedRegistry().answer(422, REFUSAL)))
    long_ago = timezone.now() - dt.timedelta(days=retention.retention_days() + 10)
    for member in group.members.select_related("ticket"):
        ticket_services.close_ticket(ticket=member.ticket, actor=clerk, reason="Diajukan ulang per anggota.")
    Ticket.objects.filter(family_memberships__group=group).update(closed_at=long_ago)

    retention.purge_personal_data(actor_label="test")

    push = reload_push(group.push)
    assert (push.payload_json, push.last_error, push.refusal) == ("", "", {})
