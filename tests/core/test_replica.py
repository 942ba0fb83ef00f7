"""core/replica.py: who reads from the replica (dashboards and reports, when they may be stale) and
who never does (workers, intake, auth, sessions, the audit trail, anything after a write).

The router is asked directly, with no database: it only names a connection."""

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connections
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory

from audit.models import AuditEntry
from core import replica
from core.replica import PrimaryReplicaRouter, reads_from_replica, replica_reads
from sync.models import SyncJob
from tests.helpdesk.test_settings import settings_in_a_fresh_process
from tickets.models import Ticket

router = PrimaryReplicaRouter()


@pytest.fixture
def with_replica(monkeypatch):
    """A configured replica (the DATABASES entry itself is checked in a fresh process below)."""
    monkeypatch.setattr(replica, "replica_configured", lambda: True)


def test_reads_go_to_the_primary_outside_a_replica_scope(with_replica):
    assert router.db_for_read(Ticket) == "default"
    assert router.db_for_read(SyncJob) == "default"


def test_reads_in_a_replica_scope_go_to_the_replica(with_replica):
    with replica_reads():
        assert router.db_for_read(Ticket) == "replica"
        assert router.db_for_read(SyncJob) == "replica"
    assert router.db_for_read(Ticket) == "default"


def test_without_a_configured_replica_everything_reads_from_the_primary():
    with replica_reads():
        assert router.db_for_read(Ticket) == "default"


@pytest.mark.parametrize("model", [User, Session, AuditEntry])
def test_auth_sessions_and_the_audit_trail_always_read_from_the_primary(with_replica, model):
    with replica_reads():
        assert router.db_for_read(model) == "default"


def test_after_a_write_the_rest_of_the_scope_reads_from_the_primary(with_replica):
    with replica_reads():
        assert router.db_for_read(Ticket) == "replica"
        assert router.db_for_write(AuditEntry) == "default"
        assert router.db_for_read(Ticket) == "default"
    with replica_reads():  # a new scope starts clean
        assert router.db_for_read(Ticket) == "replica"


def test_a_read_inside_a_transaction_on_the_primary_stays_there(with_replica, monkeypatch):
    monkeypatch.setattr(connections["default"], "in_atomic_block", True)
    with replica_reads():
        assert router.db_for_read(Ticket) == "default"


def test_writes_and_migrations_only_ever_go_to_the_primary(with_replica):
    with replica_reads():
        assert router.db_for_write(Ticket) == "default"
    assert router.allow_migrate("default", "tickets") is True
    assert router.allow_migrate("replica", "tickets") is False


def test_the_view_decorator_reads_from_the_replica_only_while_the_view_runs(with_replica):
    seen = []

    @reads_from_replica
    def view(request):
        seen.append(router.db_for_read(Ticket))
        return HttpResponse("ok")

    view(RequestFactory().get("/dasbor/"))
    assert seen == ["replica"]
    assert router.db_for_read(Ticket) == "default"


def test_a_streamed_body_reads_from_the_replica_while_it_is_sent(with_replica):
    @reads_from_replica
    def export(request):
        return StreamingHttpResponse(router.db_for_read(Ticket) for _ in range(2))

    response = export(RequestFactory().post("/laporan/unduh/csv/"))
    assert router.db_for_read(Ticket) == "default"  # the view returned; the body is not sent yet
    assert b"".join(response.streaming_content) == b"replicareplica"
    assert router.db_for_read(Ticket) == "default"


def test_the_desk_pages_that_may_read_stale_data_are_the_ones_wrapped():
    from desk.views import dashboard, reports
    from tickets import views as ticket_views

    for view in (dashboard.dashboard, dashboard.chart_csv, reports.index, reports.export_csv):
        assert _wrapped_by_replica(view), view.__name__
    assert not _wrapped_by_replica(ticket_views.intake)


def _wrapped_by_replica(view) -> bool:
    while view is not None:
        if view.__code__ is reads_from_replica(lambda r: r).__code__:
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def test_the_replica_url_adds_a_replica_database_that_tests_mirror_to_the_primary(tmp_path):
    found = settings_in_a_fresh_process(
        ["DATABASES", "DATABASE_ROUTERS"],
        SINKRON_VAR_DIR=str(tmp_path),
        DATABASE_URL="postgres://app@db1:5432/sinkron",
        DATABASE_REPLICA_URL="postgres://app@db2:5433/sinkron",
    )
    replica_db = found["DATABASES"]["replica"]
    assert (replica_db["HOST"], replica_db["PORT"], replica_db["NAME"]) == ("db2", 5433, "sinkron")
    assert replica_db["TEST"] == {"MIRROR": "default"}
    assert found["DATABASE_ROUTERS"] == ["core.replica.PrimaryReplicaRouter"]
    alone = settings_in_a_fresh_process(["DATABASES"], SINKRON_VAR_DIR=str(tmp_path))
    assert set(alone["DATABASES"]) == {"default"}
