"""The static files storage remembers each asset's address; a changed STATIC_URL is answered anew."""

import pytest
from django.contrib.staticfiles.storage import StaticFilesStorage
from django.core.files.storage import storages
from django.templatetags.static import static
from django.test import override_settings

from core.staticfiles import REMEMBERED_ADDRESSES, RememberingStaticFilesStorage


def test_the_project_serves_its_assets_through_the_remembering_storage():
    assert isinstance(storages["staticfiles"], RememberingStaticFilesStorage)


@pytest.fixture
def worked_out(monkeypatch) -> list[str]:
    """The names Django's storage was asked to work out an address for (before the storage is made)."""
    calls, url = [], StaticFilesStorage.url
    monkeypatch.setattr(StaticFilesStorage, "url", lambda self, name: calls.append(name) or url(self, name))
    return calls


def test_an_address_is_worked_out_once_and_then_read_back(worked_out):
    storage = RememberingStaticFilesStorage(base_url="/static/")
    assert storage.url("css/sinkron.css") == "/static/css/sinkron.css"
    assert storage.url("css/sinkron.css") == "/static/css/sinkron.css"
    assert worked_out == ["css/sinkron.css"]


def test_the_memory_is_bounded_the_oldest_address_is_forgotten(worked_out):
    storage = RememberingStaticFilesStorage(base_url="/static/")
    for i in range(REMEMBERED_ADDRESSES + 1):
        storage.url(f"img/{i}.png")
    worked_out.clear()
    storage.url("img/0.png")
    storage.url(f"img/{REMEMBERED_ADDRESSES}.png")
    assert worked_out == ["img/0.png"]


def test_names_needing_quoting_are_quoted_as_django_does():
    storage = RememberingStaticFilesStorage(base_url="/static/")
    assert storage.url("img/a b.png") == "/static/img/a%20b.png"


def test_a_new_static_url_is_not_answered_from_memory():
    before = static("css/sinkron.css")
    with override_settings(STATIC_URL="/aset/"):
        assert static("css/sinkron.css") == "/aset/css/sinkron.css"
    assert static("css/sinkron.css") == before
