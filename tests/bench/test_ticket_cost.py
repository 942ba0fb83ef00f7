"""bench/ticket_cost.py: its citizens pass the counter's checks, and its meter counts every process."""

import subprocess
import sys

from bench import ticket_cost
from citizens.nik import parse_kk, parse_nik


def test_every_complaint_has_a_valid_unique_nik_and_a_new_kk():
    complaints = [ticket_cost.complaint(i) for i in range(0, 20_000, 7)]
    for typed in complaints:
        info = parse_nik(typed["nik"])
        assert (
            f"19{info.birth_year_2d:02d}-{info.birth_month:02d}-{info.birth_day:02d}" == typed["birth_date"]
        )
        assert info.sex == typed["sex"]
        parse_kk(typed["kk_number"])
        assert typed["kk_number_old"] != typed["kk_number"]
    assert len({c["nik"] for c in complaints}) == len(complaints)


def test_the_centre_knows_each_citizen_with_the_old_kk():
    typed = ticket_cost.complaint(3)
    (resident,) = ticket_cost.residents([typed])
    assert resident["nik"] == typed["nik"]
    assert resident["kk_number"] == typed["kk_number_old"]


def test_tree_cpu_counts_a_child_that_has_exited():
    burn = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass\n"
    parent_code = f"import subprocess, sys, time\nsubprocess.run([sys.executable, '-c', {burn!r}])\nprint('done', flush=True)\ntime.sleep(30)"
    parent = subprocess.Popen([sys.executable, "-c", parent_code], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout.readline().strip() == "done"
        assert ticket_cost.bench_run.process_tree(parent.pid) == [parent.pid]  # the child is gone
        assert ticket_cost.tree_cpu(parent.pid) >= 0.3
    finally:
        parent.kill()
        parent.wait()
