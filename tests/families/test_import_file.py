"""The file reader and the row checks (no database)."""

import datetime as dt

import pytest
import xlsxwriter

from families import importrows
from families.importfile import ImportFileError, open_records
from families.importrows import check_row, find_header, parse_date
from tests.families.support import HEADER, family_kk, person_nik, row, write_csv

TODAY = dt.date(2026, 3, 20)
COLUMNS = {name: index for index, name in enumerate(importrows.COLUMNS)}  # the header in HEADER's order


def records(path, file_format="csv"):
    with open_records(path, file_format) as rows:
        return list(rows)


def test_a_good_row_is_normalized():
    check = check_row(
        row(
            " 3319.0115.0326.0002 ",
            "3319014101900001",
            "  SITI   RAHAYU ",
            "1/1/1990",
            "p",
            "istri",
            "2026-03-15",
        ),
        COLUMNS,
        today=TODAY,
    )
    assert check.ok, check.errors
    assert check.payload() == {
        "kk_number": "3319011503260002",
        "nik": "3319014101900001",
        "full_name": "SITI RAHAYU",
        "birth_date": "1990-01-01",
        "sex": "P",
        "relation": "istri",
        "issue_date": "2026-03-15",
    }
    assert check.nik_masked == "************0001"


@pytest.mark.parametrize(
    "cells,message",
    [
        (row(family_kk(0), "331901410190001"), "NIK harus terdiri dari 16 digit angka."),
        (row(family_kk(0), "3319014101900000"), "Nomor urut NIK tidak boleh 0000."),
        (row(family_kk(0), ""), "NIK wajib diisi."),
        (row("12", person_nik(0)), "Nomor KK harus terdiri dari 16 digit angka."),
        (row(family_kk(0), person_nik(0), name=" "), "Nama wajib diisi."),
        (
            row(family_kk(0), person_nik(0), birth="31/02/1990"),
            "Tanggal Lahir tidak valid (gunakan dd/mm/yyyy atau yyyy-mm-dd).",
        ),
        (row(family_kk(0), person_nik(0), birth="01/01/2999"), "Tanggal Lahir tidak boleh di masa depan."),
        (row(family_kk(0), person_nik(0), issued=""), "Tanggal Terbit wajib diisi."),
        (row(family_kk(0), person_nik(0), sex="X"), "Jenis Kelamin harus L atau P."),
        (
            row(family_kk(0), person_nik(0), relation="Tetangga"),
            "Hubungan keluarga tidak dikenal (contoh: Kepala Keluarga, Istri, Anak).",
        ),
    ],
)
def test_each_problem_has_an_indonesian_message_without_the_number(cells, message):
    check = check_row(cells, COLUMNS, today=TODAY)
    assert message in check.errors
    assert all(cells[1] not in error or not cells[1] for error in check.errors)


def test_every_problem_of_a_row_is_listed():
    check = check_row(["", "", "", "", "", "", ""], COLUMNS, today=TODAY)
    assert len(check.errors) == 7


@pytest.mark.parametrize(
    "text,expected",
    [
        ("15/03/2026", dt.date(2026, 3, 15)),
        ("5-3-2026", dt.date(2026, 3, 5)),
        ("15.03.2026", dt.date(2026, 3, 15)),
        ("2026-03-15", dt.date(2026, 3, 15)),
        ("2026-03-15 00:00:00", dt.date(2026, 3, 15)),
        (dt.datetime(2026, 3, 15, 0, 0), dt.date(2026, 3, 15)),
        ("15/03/26", None),
        ("03/15/2026", None),
        ("kemarin", None),
    ],
)
def test_dates_are_day_first_or_iso(text, expected):
    assert parse_date(text) == expected


def test_headers_are_matched_in_any_order_with_indonesian_variants(tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [],
        header=[
            "Nama Lengkap",
            "No. KK",
            "NIK",
            "Tgl. Lahir",
            "JK",
            "SHDK",
            "Tanggal Terbit KK",
            "Keterangan",
        ],
    )
    with open_records(path, "csv") as rows:
        number, columns = find_header(rows)
    assert number == 1
    assert columns == {
        "full_name": 0,
        "kk_number": 1,
        "nik": 2,
        "birth_date": 3,
        "sex": 4,
        "relation": 5,
        "issue_date": 6,
    }


def test_a_title_line_above_the_header_is_skipped(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("Daftar KK terbit Maret 2026\n\n" + ",".join(HEADER) + "\n", encoding="utf-8")
    with open_records(path, "csv") as rows:
        assert find_header(rows)[0] == 3


def test_a_missing_column_is_named(tmp_path):
    path = write_csv(tmp_path / "a.csv", [], header=HEADER[:5])
    with pytest.raises(ImportFileError) as caught, open_records(path, "csv") as rows:
        find_header(rows)
    assert "Kolom wajib tidak ditemukan: Hubungan, Tanggal Terbit." in caught.value.message


def test_an_empty_file_says_so(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="Berkas kosong"), open_records(path, "csv") as rows:
        find_header(rows)


def test_semicolon_csv_from_excel_in_windows_1252_with_a_bom_free_header(tmp_path):
    path = write_csv(
        tmp_path / "a.csv", [row(family_kk(0), person_nik(0), name="JOSÉ")], delimiter=";", encoding="cp1252"
    )
    rows = records(path)
    assert rows[0] == (1, HEADER) and rows[1][1][2] == "JOSÉ"


def test_utf8_with_bom_and_numbering_that_counts_blank_lines(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(
        "\ufeff" + ",".join(HEADER) + "\n\n" + ",".join(row(family_kk(0), person_nik(0))) + "\n",
        encoding="utf-8",
    )
    rows = records(path)
    assert rows[0][1][0] == "No KK" and rows[2][0] == 3


def test_xlsx_is_read_with_real_date_cells_and_numbers_typed_as_numbers(tmp_path):
    path = tmp_path / "a.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, HEADER)
    sheet.write_string(1, 0, family_kk(0))
    sheet.write_number(1, 1, int(person_nik(0)))  # a NIK typed without a text format
    sheet.write_string(1, 2, "Warga")
    sheet.write_datetime(1, 3, dt.datetime(1985, 1, 1), date_format)
    sheet.write_row(1, 4, ["L", "Anak"])
    sheet.write_datetime(1, 6, dt.datetime(2024, 1, 15), date_format)
    sheet.write_row(3, 0, row(family_kk(1), person_nik(1)))  # after a blank row 3
    workbook.close()
    rows = records(path, "xlsx")
    assert [number for number, _cells in rows] == [1, 2, 3, 4]
    check = check_row(rows[1][1], COLUMNS, today=TODAY)
    assert check.ok, check.errors
    assert check.nik == person_nik(0) and check.birth_date == dt.date(1985, 1, 1)
    assert check_row(rows[3][1], COLUMNS, today=TODAY).ok


def test_a_file_that_is_no_xlsx_is_refused_with_a_message(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ImportFileError, match="XLSX tidak dapat dibaca"):
        records(path, "xlsx")
