"""The static files storage remembers each asset's address; a changed STATIC_URL is answered anew."""

from django.contrib.staticfiles.storage import StaticFilesStorage
from django.core.files.storage import storages
from django.templatetags.static import static
from django.test import override_settings

from core.staticfiles import RememberingStaticFilesStorage


def test_the_project_serves_its_assets_through_the_remembering_storage():
    assert isinstance(storages["staticfiles"], RememberingStaticFilesStorage)


def test_an_address_is_worked_out_once_and_then_read_back(monkeypatch):
    storage = RememberingStaticFilesStorage(base_url="/static/")
    calls, worked_out = [], StaticFilesStorage.url
    monkeypatch.setattr(
        StaticFilesStorage, "url", lambda self, name: calls.append(name) or worked_out(self, name)
    )
    assert storage.url("css/sinkron.css") == "/static/css/sinkron.css"
    assert storage.url("css/sinkron.css") == "/static/css/sinkron.css"
    assert calls == ["css/sinkron.css"]


def test_names_needing_quoting_are_quoted_as_django_does():
    storage = RememberingStaticFilesStorage(base_url="/static/")
    assert storage.url("img/a b.png") == "/static/img/a%20b.png"


def test_a_new_static_url_is_not_answered_from_memory():
    before = static("css/sinkron.css")
    with override_settings(STATIC_URL="/aset/"):
        assert static("css/sinkron.css") == "/aset/css/sinkron.css"
    assert static("css/sinkron.css") == before
