"""bench.sync_throughput stops rather than report refused pushes as throughput."""

from bench.sync_throughput import too_few_accepted


def test_a_run_whose_pushes_were_refused_measures_nothing_and_says_why():
    assert too_few_accepted(0, 1500, 1500) == (
        "the registry accepted 0 of 1500 pushes (1500 refused): nothing measured"
    )
    assert too_few_accepted(1480, 1500, 20) is not None


def test_a_run_whose_pushes_were_accepted_is_measured():
    assert too_few_accepted(1500, 1500, 0) is None
    assert too_few_accepted(1490, 1500, 0) is None
