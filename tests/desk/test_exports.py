import csv
import datetime as dt
import io
import logging
import re
import zipfile
from xml.etree import ElementTree

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.cast import NIK, complaint, nik_with_serial
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
INDEX = reverse("reports:index")
CSV = reverse("reports:csv")
XLSX = reverse("reports:xlsx")
HEADER = [
    "Kode Tiket",
    "Tanggal Masuk",
    "Kategori",
    "Layanan",
    "Status",
    "Petugas",
    "Tanggal Kirim ke Pusat",
    "Tanggal Selesai",
    "NIK",
    "Nama",
]
SHEET_NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


@pytest.fixture
def export_full_nik(db):
    """The permission tickets.export_full_nik (created here until Ticket.Meta declares it)."""
    permission, _created = Permission.objects.get_or_create(
        codename="export_full_nik",
        content_type=ContentType.objects.get_for_model(Ticket),
        defaults={"name": "Dapat mengunduh NIK lengkap"},
    )
    return permission


@pytest.fixture
def trusted_client(supervisor_client, supervisor, export_full_nik):
    supervisor.user_permissions.add(export_full_nik)
    return supervisor_client


def open_ticket(office, clerk, serial, *, received=None, **overrides):
    ticket = services.open_ticket(
        office=office, created_by=clerk, complaint=complaint(nik=nik_with_serial(serial), **overrides)
    )
    if received:
        Ticket.objects.filter(pk=ticket.pk).update(created_at=received)
        ticket.refresh_from_db()
    return ticket


def wib(*args):
    return timezone.make_aware(dt.datetime(*args))


def period(**extra):
    return {"start": "2026-11-01", "end": "2026-11-30", **extra}


@pytest.fixture
def november(office, clerk, supervisor):
    """Two tickets received in November 2026 (one sent and resolved), one in October, one in December."""
    first = open_ticket(office, clerk, 1, received=wib(2026, 11, 1, 0, 5))
    services.mark_pushed(ticket=first, accepted_at=wib(2026, 11, 1, 9, 0), sla_due_at=wib(2026, 11, 2, 9, 0))
    services.resolve_ticket(ticket=first, actor=supervisor, reason="Portal sudah menerima.")
    Ticket.objects.filter(pk=first.pk).update(resolved_at=wib(2026, 11, 2, 8, 30))
    second = open_ticket(
        office, clerk, 2, received=wib(2026, 11, 30, 23, 55), category="name", service="bpjs"
    )
    open_ticket(office, clerk, 3, received=wib(2026, 10, 31, 23, 59))
    open_ticket(office, clerk, 4, received=wib(2026, 12, 1, 0, 0))
    return [first, second]


def csv_rows(response, delimiter=","):
    assert response.streaming is True
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def xlsx_rows(response):
    """Read the sheet back with the standard library (openpyxl is no dependency of the project)."""
    data = b"".join(response.streaming_content)
    assert data[:4] == b"PK\x03\x04"
    sheet = ElementTree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iterfind(".//x:sheetData/x:row", SHEET_NS):
        cells = {}
        for cell in row.iterfind("x:c", SHEET_NS):
            column = re.match(r"[A-Z]+", cell.get("r")).group()
            inline = cell.find("x:is/x:t", SHEET_NS)
            cells[column] = inline.text if inline is not None else cell.find("x:v", SHEET_NS).text
        rows.append([cells.get(chr(ord("A") + i), "") or "" for i in range(len(HEADER))])
    return rows


class TestAccess:
    def test_counter_staff_are_refused_the_page_and_every_download(self, clerk_client):
        assert clerk_client.get(INDEX).status_code == 403
        assert clerk_client.get(INDEX, period()).status_code == 403
        assert clerk_client.post(CSV, period()).status_code == 403
        assert clerk_client.post(XLSX, period()).status_code == 403

    def test_downloads_refuse_get(self, supervisor_client):
        assert supervisor_client.get(CSV, period()).status_code == 405
        assert supervisor_client.get(XLSX, period()).status_code == 405


class TestPage:
    def test_it_opens_on_this_month_without_counting(self, supervisor_client):
        response = supervisor_client.get(INDEX)
        assert response.status_code == 200 and response.context["count"] is None
        today = timezone.localdate()
        assert response.context["form"].initial == {"start": today.replace(day=1), "end": today}

    def test_the_downloads_are_offered_before_terapkan_with_this_months_filter(self, supervisor_client):
        html = supervisor_client.get(INDEX).content.decode()
        today = timezone.localdate()
        download = html[html.index('id="report-download"') :]
        assert f'name="start" value="{today.replace(day=1):%Y-%m-%d}"' in download
        assert f'name="end" value="{today:%Y-%m-%d}"' in download
        assert f'formaction="{XLSX}"' in download
        assert 'name="separator" value="semicolon">Unduh CSV (Excel Indonesia, ;)' in download
        assert 'name="separator" value="comma">Unduh CSV (,)' in download
        assert 'data-filter-form="#report-filter"' in download

    def test_it_counts_the_matching_tickets_and_offers_both_downloads(self, supervisor_client, november):
        response = supervisor_client.get(INDEX, period())
        html = response.content.decode()
        assert response.context["count"] == 2 and "2 tiket cocok dengan filter ini." in html
        assert f'formaction="{CSV}"' in html and f'formaction="{XLSX}"' in html

    def test_the_full_nik_choice_is_offered_only_with_the_permission(
        self, supervisor_client, supervisor, export_full_nik, november
    ):
        assert 'name="full_nik"' not in supervisor_client.get(INDEX, period()).content.decode()
        supervisor.user_permissions.add(export_full_nik)
        assert 'name="full_nik"' in supervisor_client.get(INDEX, period()).content.decode()


class TestCsv:
    def test_it_streams_the_period_oldest_first_with_the_nik_masked(self, supervisor_client, november):
        response = supervisor_client.post(CSV, period())
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert (
            response["Content-Disposition"]
            == 'attachment; filename="sinkron-tiket-2026-11-01_2026-11-30.csv"'
        )
        rows = csv_rows(response)
        first, second = november
        assert rows == [
            HEADER,
            [
                first.display_code,
                "01/11/2026 00:05",
                "KK baru belum terkonsolidasi",
                "SSCASN/CPNS",
                "Selesai",
                "Sri",
                "01/11/2026 09:00",
                "02/11/2026 08:30",
                "************0001",
                "Siti Rahayu",
            ],
            [
                second.display_code,
                "30/11/2026 23:55",
                "Data tidak sesuai: nama",
                "BPJS",
                "Baru",
                "Sri",
                "",
                "",
                "************0002",
                "Siti Rahayu",
            ],
        ]

    def test_filters_narrow_the_export(self, supervisor_client, november):
        codes = lambda data: [row[0] for row in csv_rows(supervisor_client.post(CSV, data))[1:]]  # noqa: E731
        first, second = november
        assert codes(period(status="resolved")) == [first.display_code]
        assert codes(period(category="name")) == [second.display_code]
        assert codes(period(service="bpjs", status="resolved")) == []
        assert codes(period(start="2026-11-30")) == [second.display_code]

    def test_other_offices_tickets_are_never_exported(
        self, supervisor_client, november, other_office, other_clerk
    ):
        open_ticket(other_office, other_clerk, 9, received=wib(2026, 11, 15, 10, 0))
        assert len(csv_rows(supervisor_client.post(CSV, period()))) == 3

    def test_the_full_nik_needs_the_permission(self, supervisor_client, november, caplog):
        caplog.set_level(logging.WARNING, logger="sinkron.audit")
        response = supervisor_client.post(CSV, period(full_nik="on"))
        assert response.status_code == 403
        assert "full-NIK export" not in caplog.text

    def test_with_the_permission_the_full_nik_is_exported_and_audited_without_it(
        self, trusted_client, november, caplog
    ):
        caplog.set_level(logging.WARNING, logger="sinkron.audit")
        response = trusted_client.post(CSV, period(full_nik="on"), REMOTE_ADDR="10.1.2.3")
        assert response["Content-Disposition"].endswith('2026-11-30-nik-lengkap.csv"')
        rows = csv_rows(response)
        assert [row[8] for row in rows[1:]] == [NIK, nik_with_serial(2)]
        [audit] = [r for r in caplog.records if r.name == "sinkron.audit"]
        assert audit.levelno == logging.WARNING
        line = audit.getMessage()
        assert "user=supervisor" in line and "office=3319" in line and "format=csv" in line
        assert "rows=2" in line and "complete=True" in line and "'start': '2026-11-01'" in line
        assert "ip=10.1.2.3" in line
        assert not re.search(r"\d{16}", line)

    def test_an_export_without_the_full_nik_writes_no_audit_line(self, trusted_client, november, caplog):
        caplog.set_level(logging.WARNING, logger="sinkron.audit")
        rows = csv_rows(trusted_client.post(CSV, period()))
        assert rows[1][8] == "************0001" and "sinkron.audit" not in [r.name for r in caplog.records]

    @pytest.mark.parametrize("separator, delimiter", [("comma", ","), ("semicolon", ";")])
    def test_a_cell_that_looks_like_a_formula_is_defused(
        self, supervisor_client, office, clerk, separator, delimiter
    ):
        open_ticket(office, clerk, 1, received=wib(2026, 11, 10, 10, 0), full_name="=HYPERLINK(1)")
        response = supervisor_client.post(CSV, period(separator=separator))
        assert csv_rows(response, delimiter)[1][9] == "'=HYPERLINK(1)"

    def test_the_excel_indonesia_csv_uses_semicolons_after_a_bom(self, supervisor_client, november):
        text = b"".join(supervisor_client.post(CSV, period(separator="semicolon")).streaming_content)
        text = text.decode("utf-8")
        assert text.startswith("\ufeffKode Tiket;Tanggal Masuk;Kategori;")
        first = november[0]
        assert f"{first.display_code};01/11/2026 00:05;KK baru belum terkonsolidasi;" in text
        rows = csv_rows(supervisor_client.post(CSV, period(separator="semicolon")), ";")
        assert rows[0] == HEADER and len(rows) == 3 and all(len(row) == len(HEADER) for row in rows)

    def test_the_plain_csv_uses_commas_after_a_bom(self, supervisor_client, november):
        text = b"".join(supervisor_client.post(CSV, period(separator="comma")).streaming_content)
        assert text.decode("utf-8").startswith("\ufeffKode Tiket,Tanggal Masuk,Kategori,")

    def test_an_unknown_separator_is_an_error_in_indonesian_and_keeps_the_filter(
        self, supervisor_client, november
    ):
        response = supervisor_client.post(CSV, period(separator="tab", status="resolved"))
        html = response.content.decode()
        assert response.status_code == 400 and not response.streaming
        assert "Pilih pemisah CSV: titik koma (Excel Indonesia) atau koma." in html
        assert 'value="2026-11-01"' in html and '<option value="resolved" selected>' in html

    def test_the_query_count_is_the_same_for_5_or_40_tickets(self, supervisor_client, office, clerk):
        def measure():
            with CaptureQueriesContext(connection) as queries:
                csv_rows(supervisor_client.post(CSV, period()))
            return len(queries)

        for serial in range(1, 6):
            open_ticket(office, clerk, serial, received=wib(2026, 11, 10, 10, serial))
        few = measure()
        for serial in range(6, 41):
            open_ticket(office, clerk, serial, received=wib(2026, 11, 11, 10, serial))
        assert measure() == few


class TestXlsx:
    def test_it_opens_with_the_header_and_the_nik_masked(self, supervisor_client, november):
        response = supervisor_client.post(XLSX, period())
        assert response.status_code == 200
        assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert 'filename="sinkron-tiket-2026-11-01_2026-11-30.xlsx"' in response["Content-Disposition"]
        rows = xlsx_rows(response)
        assert rows[0] == HEADER
        assert [row[0] for row in rows[1:]] == [t.display_code for t in november]
        assert [row[8] for row in rows[1:]] == ["************0001", "************0002"]
        assert rows[1][4] == "Selesai" and rows[1][9] == "Siti Rahayu"
        assert float(rows[1][1]) == pytest.approx(
            46327.0035, abs=1e-4
        )  # 01/11/2026 00:05 WIB as a date serial
        assert rows[2][6] == ""  # never sent: an empty cell

    def test_with_the_permission_the_full_nik_is_text_and_audited(self, trusted_client, november, caplog):
        caplog.set_level(logging.WARNING, logger="sinkron.audit")
        rows = xlsx_rows(trusted_client.post(XLSX, period(full_nik="on")))
        assert rows[1][8] == NIK  # a string cell: Excel keeps all 16 digits
        [audit] = [r for r in caplog.records if r.name == "sinkron.audit"]
        assert "format=xlsx" in audit.getMessage() and "rows=2" in audit.getMessage()

    def test_the_full_nik_needs_the_permission(self, supervisor_client, november):
        assert supervisor_client.post(XLSX, period(full_nik="on")).status_code == 403

    def test_an_empty_period_still_opens(self, supervisor_client):
        assert xlsx_rows(supervisor_client.post(XLSX, period())) == [HEADER]

    def test_the_query_count_is_the_same_for_5_or_40_tickets(self, supervisor_client, office, clerk):
        def measure():
            with CaptureQueriesContext(connection) as queries:
                xlsx_rows(supervisor_client.post(XLSX, period()))
            return len(queries)

        for serial in range(1, 6):
            open_ticket(office, clerk, serial, received=wib(2026, 11, 10, 10, serial))
        few = measure()
        for serial in range(6, 41):
            open_ticket(office, clerk, serial, received=wib(2026, 11, 11, 10, serial))
        assert measure() == few


class TestBadFilters:
    @pytest.mark.parametrize(
        "data, field, error",
        [
            (
                period(start="2026-11-30", end="2026-11-01"),
                "end",
                "Tanggal akhir tidak boleh sebelum tanggal awal.",
            ),
            (period(start="2026-13-01"), "start", "Tanggal tidak valid; gunakan format tttt-bb-hh."),
            (period(end="kemarin"), "end", "Tanggal tidak valid; gunakan format tttt-bb-hh."),
            (period(start=""), "start", "Tanggal wajib diisi."),
            (period(start="2025-11-29", end="2026-11-30"), "end", "Periode paling lama 366 hari."),
            (
                period(status="hilang"),
                "status",
                "Masukkan pilihan yang valid. hilang bukan salah satu dari pilihan yang tersedia.",
            ),
        ],
    )
    def test_a_bad_filter_is_a_field_error_in_indonesian(self, supervisor_client, data, field, error):
        page = supervisor_client.get(INDEX, data)
        assert page.status_code == 200 and page.context["form"].errors[field] == [error]
        assert page.context["count"] is None
        for url in (CSV, XLSX):
            response = supervisor_client.post(url, data)
            assert response.status_code == 400 and response.context["form"].errors[field] == [error]
            assert not getattr(response, "streaming", False)
        assert error in page.content.decode()

    def test_a_leap_year_of_366_days_is_allowed(self, supervisor_client):
        response = supervisor_client.post(CSV, period(start="2028-01-01", end="2028-12-31"))
        assert response.status_code == 200 and csv_rows(response) == [HEADER]
