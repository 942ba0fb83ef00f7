"""The import at scale: 100,000 rows validate in flat memory; 500 rows import through confirm.

Validation, the step that reads the file, runs on 100,000 rows. The confirm step opens one ticket
per row through tickets.services.open_ticket (about 20 queries with its SyncJob, timeline and
notification rows: ~80 ms per row on a loaded 2-CPU test box, 2,000 rows took 163 s), so it runs
on 500 rows: ten chunks and 125 families, enough to show chunking, grouping and progress.
"""

import csv
import os
import resource
import threading
import time

import pytest

from families import tasks
from families.models import FamilyGroup, ImportBatch, ImportRow
from sync.models import SyncJob
from tests.families.conftest import reload
from tests.families.support import HEADER, family_kk, person_birth_date, person_nik
from tickets.models import Category, Ticket

pytestmark = pytest.mark.django_db
MEMORY_BOUND_MB = 100
CONFIRM_ROWS = 500


def write_big_csv(path, rows: int):
    """Write `rows` valid rows: families of four, each member with a distinct structured NIK."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        relations = ("Kepala Keluarga", "Istri", "Anak", "Anak")
        for index in range(rows):
            female = index % 4 == 1
            writer.writerow(
                [
                    family_kk(index // 4),
                    person_nik(index, female=female),
                    f"WARGA {index}",
                    person_birth_date(index).strftime("%d/%m/%Y"),
                    "P" if female else "L",
                    relations[index % 4],
                    "15/01/2024",
                ]
            )
    return path


class PeakRss:
    """Sample this process's resident set size while a block runs; report the peak growth in MB."""

    def __init__(self, interval: float = 0.01):
        self.interval, self.peak, self.baseline = interval, 0, 0
        self._stop = threading.Event()

    @staticmethod
    def current() -> int:
        try:
            with open("/proc/self/statm") as statm:
                return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:  # not Linux: the lifetime peak is the best there is
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.current())
            time.sleep(self.interval)

    def __enter__(self):
        self.baseline = self.peak = self.current()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.current())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.baseline) / 2**20


def test_a_100k_row_file_validates_within_a_memory_bound(make_batch, tmp_path, capsys):
    path = write_big_csv(tmp_path / "kk-100k.csv", 100_000)
    batch = make_batch(path)
    started = time.monotonic()
    with PeakRss() as rss:
        outcome = tasks.validate_import(batch.pk)
    elapsed = time.monotonic() - started
    batch = reload(batch)
    with capsys.disabled():
        print(
            f"\n100k-row validation: {elapsed:.1f} s, peak RSS growth {rss.growth_mb:.1f} MB "
            f"(file {path.stat().st_size / 2**20:.1f} MB)"
        )
    assert outcome == "done"
    assert (batch.row_count, batch.valid_count, batch.error_count, batch.duplicate_count) == (
        100_000,
        100_000,
        0,
        0,
    )
    assert ImportRow.objects.filter(batch=batch).count() == 100_000
    assert rss.growth_mb < MEMORY_BOUND_MB


def test_the_memory_probe_sees_an_allocation_of_the_bounds_size():
    with PeakRss() as rss:
        ballast = bytearray(60 * 2**20)
        ballast[::4096] = b"x" * len(ballast[::4096])  # touch every page so it is resident
        time.sleep(0.05)
    assert rss.growth_mb > 55
    del ballast


def test_a_file_imports_through_confirm_in_chunks(make_batch, tmp_path, supervisor, capsys):
    from families import services

    batch = make_batch(write_big_csv(tmp_path / "kk-500.csv", CONFIRM_ROWS))
    assert tasks.validate_import(batch.pk) == "done"
    assert services.confirm_batch(batch=reload(batch), actor=supervisor)
    started = time.monotonic()
    assert tasks.run_import(batch.pk) == "done"
    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(f"\n{CONFIRM_ROWS}-row confirm: {elapsed:.1f} s")
    batch = reload(batch)
    assert batch.status == ImportBatch.Status.DONE and batch.imported_count == CONFIRM_ROWS
    assert batch.progress_done == batch.progress_total == CONFIRM_ROWS
    assert Ticket.objects.filter(category=Category.PROACTIVE).count() == CONFIRM_ROWS
    assert SyncJob.objects.count() == CONFIRM_ROWS
    assert FamilyGroup.objects.filter(batch=batch).count() == CONFIRM_ROWS // 4
