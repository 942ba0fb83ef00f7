"""The centre's "documents needed" refusal, answered: a resubmission carrying a KK or KTP-el is
accepted for an unknown NIK, and the resident exists once the update applies."""

import base64
import hashlib
from pathlib import Path

import pytest
import yaml

from mockregistry import documents as papers

PHOTO = b"\xff\xd8\xff\xe0" + b"scan of a family card" * 20


def document(kind="kk", data=PHOTO, **overrides):
    body = {
        "kind": kind,
        "filename": f"{kind}.jpg",
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "content_type": "image/jpeg",
        "content": base64.b64encode(data).decode(),
    }
    body.update(overrides)
    return body


@pytest.fixture
def refuse_unknown(registry):
    registry.set_behaviour(unknown_nik="refuse")
    return registry


@pytest.mark.parametrize("kind", ["kk", "ktp"])
def test_an_unknown_nik_sent_with_an_identity_document_is_accepted_and_created_on_apply(
    refuse_unknown, api, push, build, kind
):
    nik = build.nik()
    accepted = push(nik, reference="SKR-1 mock:after=0", documents=[document(kind), document("akta")])
    assert accepted.status_code == 202
    update = api.get(f"/updates/{accepted.json()['update_id']}").json()
    assert update["status"] == "applied"
    assert api.get(f"/residents/{nik}").json()["nik"] == nik


def test_documents_that_prove_no_identity_still_get_documents_required(refuse_unknown, api, push, build):
    nik = build.nik()
    refused = push(nik, reference="SKR-1 mock:after=0", documents=[document("akta")])
    assert (refused.status_code, refused.json()["error"], refused.json()["action"]) == (
        422,
        "documents_required",
        "documents",
    )
    assert "KK atau KTP-el" in refused.json()["detail"]
    assert api.get(f"/residents/{nik}").status_code == 404


def test_a_document_whose_bytes_do_not_match_its_digest_or_size_is_a_field_error(refuse_unknown, push, build):
    refused = push(
        build.nik(),
        documents=[
            document("kk", sha256="0" * 64),
            document("ktp", size=1),
            document("paspor"),
        ],
    )
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert errors["documents[0].sha256"] == ["SHA-256 dokumen tidak sama dengan isinya."]
    assert errors["documents[1].size"] == ["Ukuran dokumen tidak sama dengan isinya."]
    assert list(errors["documents[2].kind"]) == [
        "Jenis dokumen harus salah satu dari: kk, ktp, akta, pindah, other."
    ]


def test_documents_must_be_a_short_list_of_objects_with_base64_content(refuse_unknown, push, build):
    assert push(build.nik(), documents=[]).json()["errors"]["documents"] == [
        "Dokumen harus berupa daftar berisi 1-10 dokumen."
    ]
    errors = push(build.nik(), documents=["kk", document(content="**not base64**")]).json()["errors"]
    assert errors["documents[0]"] == ["Setiap dokumen harus berupa objek JSON."]
    assert errors["documents[1].content"] == ["Isi dokumen harus base64 yang sah."]


def test_the_same_resubmission_twice_is_one_update(refuse_unknown, push, build):
    nik, key = build.nik(), build.key()
    first = push(nik, key=key, documents=[document("kk")])
    again = push(nik, key=key, documents=[document("kk")])
    assert first.status_code == again.status_code == 202
    assert first.json()["update_id"] == again.json()["update_id"]


def test_the_published_contract_names_the_kinds_types_and_limits_the_centre_applies():
    spec = yaml.safe_load((Path(__file__).parents[2] / "docs" / "registry-openapi.yaml").read_text())
    schemas = spec["components"]["schemas"]
    document_schema, listed = schemas["Document"]["properties"], schemas["ResidentUpdate"]["properties"]
    assert tuple(document_schema["kind"]["enum"]) == papers.KINDS
    assert tuple(document_schema["content_type"]["enum"]) == papers.CONTENT_TYPES
    assert document_schema["size"]["maximum"] == papers.MAX_DOCUMENT_BYTES
    assert document_schema["filename"]["maxLength"] == papers.MAX_FILENAME_LENGTH
    assert listed["documents"]["maxItems"] == papers.MAX_DOCUMENTS
