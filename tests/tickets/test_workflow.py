import itertools

import pytest

from tickets.workflow import FINAL_STATUSES, IllegalTransition, Status, can_transition, check_transition

ALLOWED = {
    ("new", "sent"),
    ("new", "escalated"),
    ("new", "rejected"),
    ("new", "closed"),
    ("sent", "resolved"),
    ("sent", "escalated"),
    ("sent", "rejected"),
    ("sent", "closed"),
    ("escalated", "resolved"),
    ("escalated", "rejected"),
    ("escalated", "closed"),
}


@pytest.mark.parametrize("current,target", list(itertools.product(Status.values, Status.values)))
def test_only_the_designed_transitions_are_allowed(current, target):
    assert can_transition(current, target) == ((current, target) in ALLOWED)


@pytest.mark.parametrize("final", sorted(FINAL_STATUSES))
def test_final_statuses_have_no_way_out(final):
    for target in Status.values:
        with pytest.raises(IllegalTransition):
            check_transition(final, target)


def test_an_illegal_transition_names_both_statuses_in_indonesian():
    with pytest.raises(IllegalTransition) as excinfo:
        check_transition(Status.RESOLVED, Status.SENT)
    assert "Selesai" in str(excinfo.value) and "Dikirim ke pusat" in str(excinfo.value)
