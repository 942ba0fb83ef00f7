"""The centre's refusals that no retry clears (issue 18): each block's own path, in-process against
a scripted registry. The same paths against the real registry process: tests/integration/test_centre_blocks.py."""

import base64
import json

import pytest
from django.core.cache import cache
from django.utils import timezone

from documents.services import read_document
from sync import refusals, registry, services
from sync.models import SyncAttempt, SyncJob
from sync.words import attempt_words
from tests.documents.conftest import documents_dir  # noqa: F401 (a fixture)
from tests.documents.files import attach, image_bytes
from tests.sync.test_services import RESIDENT, accept, client, make_due
from tickets import services as ticket_services
from tickets.models import TicketEvent
from tickets.workflow import Status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_sync_settings")]

CODES = ("nik_duplicate", "nik_blocked", "nik_inactive", "documents_required", "family_refused")


def refusal(code: str, **extra) -> dict:
    return {"error": code, "detail": "ditolak", "action": "some_action", **extra}


def refuse(job, script, code: str):
    make_due(job)
    script.answer(422, refusal(code, state="duplicate"))
    assert services.push_job(job.pk, client=client(script)) == "refused"
    job.refresh_from_db()
    job.ticket.refresh_from_db()
    return job


def test_the_client_reads_a_refusal_with_its_code_action_state_and_masked_members(script):
    members = [{"nik": "************0003", "error": "nik_blocked", "detail": "NIK 3319014507920003 diblokir"}]
    script.answer(422, refusal("family_refused", members=members))
    outcome = client(script).push({"nik": "1"}, idempotency_key="k")
    assert isinstance(outcome, registry.Refused)
    assert (outcome.reason, outcome.action) == ("family_refused", "some_action")
    assert outcome.members[0]["nik"] == "************0003"
    assert "3319014507920003" not in outcome.members[0]["detail"]


def test_a_validation_failure_stays_a_rejection(script):
    script.answer(422, {"error": "validation_failed", "errors": {"nik": ["salah"]}})
    assert isinstance(client(script).push({"nik": "1"}, idempotency_key="k"), registry.Rejected)


@pytest.mark.parametrize("code", CODES)
def test_a_refused_push_puts_the_ticket_in_action_needed_with_its_block_in_peoples_words(job, script, code):
    job = refuse(job, script, code)

    ticket = job.ticket
    assert ticket.status == Status.ACTION_NEEDED and ticket.centre_block == code
    assert job.state == SyncJob.State.REJECTED and job.last_error == code
    event = TicketEvent.objects.get(ticket=ticket, to_status=Status.ACTION_NEEDED)
    assert event.actor is None and event.details["reason_code"] == code
    assert code not in event.text and event.text.startswith("Pusat menolak")
    assert code not in attempt_words(SyncAttempt.objects.get(job=job))


def test_mark_action_needed_refuses_a_code_that_is_no_block(ticket):
    with pytest.raises(ValueError):
        ticket_services.mark_action_needed(ticket=ticket, reason_code="kk_tidak_sesuai", message="x")


@pytest.mark.usefixtures("documents_dir")
def test_documents_required_resubmits_on_the_same_ticket_with_a_fresh_key_and_its_documents(
    job, script, clerk
):
    job = refuse(job, script, "documents_required")
    old_key = job.idempotency_key
    kk = attach(job.ticket, clerk, image_bytes("PNG"), kind="kk", name="kk-baru.png")
    refusals.request_resubmission(ticket=job.ticket, actor=clerk)

    job.refresh_from_db()
    job.ticket.refresh_from_db()
    assert job.ticket.status == Status.NEW and job.ticket.centre_block == ""
    assert job.state == SyncJob.State.PENDING and job.idempotency_key != old_key
    assert job.payload[services.DOCUMENT_IDS] == [kk.pk]  # the ids: the bytes are read at each push
    assert TicketEvent.objects.filter(
        ticket=job.ticket, message="Dikirim bersama 1 dokumen penduduk."
    ).exists()
    accept(job, script)
    body = json.loads(script.requests[-1].content)
    assert services.DOCUMENT_IDS not in body
    assert [(d["kind"], d["sha256"], d["filename"]) for d in body["documents"]] == [
        ("kk", kk.sha256, "kk-baru.png")
    ]
    assert base64.b64decode(body["documents"][0]["content"]) == read_document(kk)


@pytest.mark.usefixtures("documents_dir")
def test_a_resubmission_without_documents_says_so_and_carries_none(job, script, clerk):
    job = refuse(job, script, "documents_required")
    refusals.request_resubmission(ticket=job.ticket, actor=clerk)
    job.refresh_from_db()
    assert TicketEvent.objects.filter(ticket=job.ticket, message__startswith="Dikirim tanpa dokumen").exists()
    script.answer(422, refusal("documents_required"))  # still unknown without the documents
    assert services.push_job(job.pk, client=client(script)) == "refused"
    assert "documents" not in json.loads(script.requests[-1].content)
    job.ticket.refresh_from_db()
    assert job.ticket.status == Status.ACTION_NEEDED


@pytest.mark.usefixtures("documents_dir")
def test_other_resubmissions_carry_no_documents(job, script, clerk):
    job = refuse(job, script, "family_refused")
    attach(job.ticket, clerk, image_bytes("PNG"))
    refusals.request_resubmission(ticket=job.ticket, actor=clerk)
    job.refresh_from_db()
    assert services.DOCUMENT_IDS not in job.payload


def test_reactivation_asks_the_centre_first_then_the_push_goes_straight_to_sent(job, script, clerk):
    job = refuse(job, script, "nik_inactive")
    refusals.request_reactivation(ticket=job.ticket, actor=clerk)
    script.answer(200, {**RESIDENT, "state": "active"}).answer(
        202, {"update_id": "u-2", "status": "accepted"}
    )

    assert services.push_job(job.pk, client=client(script)) == "accepted"

    reactivation, push = script.requests[-2:]
    assert reactivation.method == "POST" and reactivation.url.path.endswith("/reactivation")
    assert json.loads(reactivation.content)["ktp_el_seen"] is True
    assert push.method == "PUT"
    job.refresh_from_db()
    job.ticket.refresh_from_db()
    assert job.ticket.status == Status.SENT and not job.reactivate_first
    lines = list(TicketEvent.objects.filter(ticket=job.ticket).values_list("message", flat=True))
    assert "Petugas mengajukan aktivasi NIK ke pusat (KTP-el sudah diperiksa)." in lines
    assert "Pusat mengaktifkan kembali NIK; data dikirim ulang." in lines


def test_a_reactivation_the_centre_refuses_as_duplicate_changes_the_block(job, script, clerk):
    job = refuse(job, script, "nik_inactive")
    refusals.request_reactivation(ticket=job.ticket, actor=clerk)
    script.answer(409, refusal("nik_duplicate", state="duplicate"))

    assert services.push_job(job.pk, client=client(script)) == "reactivation"

    job.refresh_from_db()
    job.ticket.refresh_from_db()
    assert job.ticket.status == Status.ACTION_NEEDED and job.ticket.centre_block == "nik_duplicate"
    assert job.state == SyncJob.State.REJECTED and len(script.requests) == 2  # no PUT after the refusal


def test_a_reactivation_that_meets_an_outage_is_retried_later(job, script, clerk):
    job = refuse(job, script, "nik_inactive")
    refusals.request_reactivation(ticket=job.ticket, actor=clerk)
    script.answer(503, {"error": "unavailable"})
    assert services.push_job(job.pk, client=client(script)) == "reactivation"
    job.refresh_from_db()
    assert job.state == SyncJob.State.PENDING and job.reactivate_first


def test_a_duplicate_taken_to_the_centre_is_retried_slowly_until_they_clear_it(job, script, clerk, settings):
    job = refuse(job, script, "nik_duplicate")
    refusals.request_centre_escalation(ticket=job.ticket, actor=clerk)
    job.refresh_from_db()
    job.ticket.refresh_from_db()
    assert job.ticket.status == Status.ESCALATED and job.ticket.centre_block == "nik_duplicate"
    event = TicketEvent.objects.get(ticket=job.ticket, to_status=Status.ESCALATED)
    assert event.actor == clerk and "penghapusan data ganda" in event.text
    assert services.push_job(job.pk, client=client(script)) == "skipped"  # not due for hours

    job = refuse(job, script, "nik_duplicate")  # the centre has not cleared it yet
    assert job.state == SyncJob.State.PENDING and job.ticket.status == Status.ESCALATED
    assert (job.next_attempt_at - timezone.now()).total_seconds() > settings.SYNC_BLOCKED_RETRY_SECONDS - 60

    job = accept_when_due(job, script)  # the central operator deleted the duplicate
    assert job.state == SyncJob.State.ACCEPTED and job.ticket.status == Status.ESCALATED
    make_due(job)
    script.answer(200, {"status": "applied"}).answer(200, {**RESIDENT, "kk_number": job.payload["kk_number"]})
    # The ticket names SSCASN: the centre's data is the first stage, the portal's view the second.
    assert services.check_job(job.pk, client=client(script)) == "centre_applied"
    job.ticket.refresh_from_db()
    assert job.ticket.status == Status.CENTRE_APPLIED


def accept_when_due(job, script):
    make_due(job)
    job = accept(job, script)
    job.ticket.refresh_from_db()
    return job


@pytest.mark.parametrize(
    ("reason_code", "status", "block"),
    [
        ("dokumen", Status.ACTION_NEEDED, "documents_required"),
        ("data_ganda", Status.ACTION_NEEDED, "nik_duplicate"),
        ("nik_blocked", Status.ACTION_NEEDED, "nik_blocked"),
        ("kk_tidak_sesuai", Status.REJECTED, ""),
    ],
)
def test_an_update_rejected_later_is_a_block_or_a_rejection_by_its_reason_code(
    job, script, reason_code, status, block
):
    job = accept(job, script)
    make_due(job)
    script.answer(200, {"status": "rejected", "reason": "alasan pusat", "reason_code": reason_code})
    services.check_job(job.pk, client=client(script))
    job.ticket.refresh_from_db()
    assert (job.ticket.status, job.ticket.centre_block) == (status, block)


@pytest.mark.parametrize(
    ("block", "action", "message"),
    [
        ("nik_duplicate", refusals.request_reactivation, "tidak sesuai dengan hambatan"),
        ("nik_inactive", refusals.request_centre_escalation, "tidak sesuai dengan hambatan"),
        ("documents_required", refusals.request_reactivation, "tidak sesuai dengan hambatan"),
    ],
)
def test_an_action_that_does_not_fit_the_block_is_refused_in_words(
    job, script, clerk, block, action, message
):
    job = refuse(job, script, block)
    with pytest.raises(refusals.BlockActionRefused, match=message):
        action(ticket=job.ticket, actor=clerk)


def test_an_action_on_a_ticket_not_in_action_needed_is_refused(ticket, clerk):
    with pytest.raises(refusals.BlockActionRefused, match="Perlu tindakan"):
        refusals.request_resubmission(ticket=ticket, actor=clerk)


def test_the_same_action_twice_within_the_cooldown_is_refused(job, script, clerk):
    job = refuse(job, script, "documents_required")
    refusals.request_resubmission(ticket=job.ticket, actor=clerk)
    job = refuse(job, script, "documents_required")
    with pytest.raises(services.StaffActionRefused, match="Tunggu"):
        refusals.request_resubmission(ticket=job.ticket, actor=clerk)
    cache.clear()
    refusals.request_resubmission(ticket=job.ticket, actor=clerk)


def test_giving_up_after_failed_pushes_says_why_in_peoples_words(job, script):
    for _ in range(3):
        make_due(job)
        script.answer(503, {"error": "unavailable"})
        services.push_job(job.pk, client=client(script))
    event = TicketEvent.objects.get(ticket=job.ticket, to_status=Status.ESCALATED)
    assert "3 kali" in event.text and "unavailable" not in event.text
    assert "Pusat tidak dapat dihubungi" in event.text
