"""Documents in the retention purge (no file left on disk), the subject-access record and the push."""

import base64
import hashlib
import json
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from desk import retention
from documents.inspection import check_upload
from documents.models import Document
from documents.services import (
    PUSH_LIMIT,
    attach_document,
    delete_orphan_files,
    documents_for_push,
    read_document,
)
from documents.storage import document_storage
from tests.audit.test_retention import open_for, resolved
from tests.documents.conftest import files_in
from tests.documents.files import attach, image_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db


def test_the_purge_deletes_the_documents_of_a_ticket_past_retention_and_leaves_no_file(
    office, clerk, documents_dir, django_capture_on_commit_callbacks
):
    old = resolved(open_for(office, clerk, 1), 400)
    recent = resolved(open_for(office, clerk, 2), 10)
    attach(old, clerk, image_bytes("PNG"))
    attach(old, clerk, pdf_bytes(), kind="akta", name="akta.pdf")
    kept = attach(recent, clerk, image_bytes("PNG"))
    old_files = set(files_in(documents_dir)) - {
        documents_dir / kept.blob,
        documents_dir / kept.thumbnail_blob,
    }
    assert len(old_files) == 3, "two files and one thumbnail"
    assert retention.purge_personal_data(dry_run=True).documents == 2
    with django_capture_on_commit_callbacks(execute=True):
        report = retention.purge_personal_data()
    assert report.documents == 2
    assert list(Document.objects.values_list("ticket", flat=True)) == [recent.pk]
    assert files_in(documents_dir) == sorted([documents_dir / kept.blob, documents_dir / kept.thumbnail_blob])
    assert not any(path.exists() for path in old_files)


def test_a_rolled_back_purge_keeps_the_files(office, clerk, documents_dir, monkeypatch):
    old = resolved(open_for(office, clerk, 1), 400)
    attach(old, clerk, image_bytes("PNG"))
    monkeypatch.setattr(retention, "_erase_groups", lambda groups: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        retention.purge_personal_data()
    assert Document.objects.count() == 1 and len(files_in(documents_dir)) == 2


def test_the_subject_access_page_lists_the_documents_and_the_export_carries_their_bytes(
    supervisor_client, office, clerk, documents_dir
):
    ticket = open_for(office, clerk, 1)
    document = attach(ticket, clerk, image_bytes("PNG"), kind="ktp", name="ktp.png")
    page = supervisor_client.get(reverse("subject_access:detail", args=[ticket.citizen.pk])).content.decode()
    assert reverse("documents:show", args=[document.token]) in page and "KTP-el" in page
    export = supervisor_client.post(reverse("subject_access:export_json", args=[ticket.citizen.pk]))
    [exported] = json.loads(export.content)["documents"]
    assert (exported["kind"], exported["filename"], exported["sha256"]) == (
        "KTP-el",
        "ktp.png",
        document.sha256,
    )
    assert base64.b64decode(exported["content_base64"]) == read_document(document)


def test_documents_for_push_gives_each_document_with_its_bytes_and_digest(office, clerk, documents_dir):
    ticket = open_for(office, clerk, 1)
    photo = attach(ticket, clerk, image_bytes("PNG"), kind="kk", name="kk.png")
    pdf = pdf_bytes()
    attach(ticket, clerk, pdf, kind="akta", name="akta.pdf")
    first, second = documents_for_push(ticket)
    content = base64.b64decode(first["content"])
    assert {k: v for k, v in first.items() if k != "content"} == {
        "kind": "kk",
        "filename": "kk.png",
        "sha256": photo.sha256,
        "size": photo.size,
        "content_type": "image/png",
    }
    assert hashlib.sha256(content).hexdigest() == photo.sha256 and len(content) == photo.size
    assert (second["kind"], second["content_type"], base64.b64decode(second["content"])) == (
        "akta",
        "application/pdf",
        pdf,
    )


def test_documents_for_push_sends_the_identity_papers_first_and_at_most_the_centres_limit(
    office, clerk, documents_dir
):
    ticket = open_for(office, clerk, 1)
    checked = check_upload(upload(pdf_bytes(), "scan.pdf"))
    kk = attach_document(ticket=ticket, actor=clerk, kind="kk", checked=checked, original_name="kk.pdf")
    for _ in range(PUSH_LIMIT):
        attach_document(ticket=ticket, actor=clerk, kind="other", checked=checked, original_name="lain.pdf")
    pushed = documents_for_push(ticket)
    assert len(pushed) == PUSH_LIMIT and pushed[0]["kind"] == "kk" and pushed[0]["sha256"] == kk.sha256


def test_files_no_document_names_are_deleted_once_old_and_the_rest_stay(office, clerk, documents_dir):
    ticket = open_for(office, clerk, 1)
    kept = attach(ticket, clerk, image_bytes("PNG"))
    storage = document_storage()
    old_orphan = storage.save("ab/old-orphan.png.enc", ContentFile(b"left by a crash"))
    young_orphan = storage.save("ab/young-orphan.png.enc", ContentFile(b"row being written"))
    two_hours_ago = time.time() - 7200
    for name in (old_orphan, kept.blob, kept.thumbnail_blob):
        os.utime(documents_dir / name, (two_hours_ago, two_hours_ago))
    assert delete_orphan_files() == 1
    assert files_in(documents_dir) == sorted(
        documents_dir / name for name in (kept.blob, kept.thumbnail_blob, young_orphan)
    )


def test_a_resubmissions_document_deleted_before_its_push_is_left_out_and_the_rest_keep_their_order(
    office, clerk, documents_dir
):
    ticket = open_for(office, clerk, 1)
    akta = attach(ticket, clerk, pdf_bytes(), kind="akta", name="akta.pdf")
    kk = attach(ticket, clerk, image_bytes("PNG"), kind="kk", name="kk.png")
    ktp = attach(ticket, clerk, image_bytes("JPEG"), kind="ktp", name="ktp.jpg")
    ids = [ktp.pk, kk.pk, akta.pk]  # what the resubmission snapshotted, not in id order
    Document.objects.filter(pk=kk.pk).delete()
    assert [d["sha256"] for d in documents_for_push(ticket, ids)] == [ktp.sha256, akta.sha256]
