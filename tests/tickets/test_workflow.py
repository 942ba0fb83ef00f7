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
    # The centre refused for a reason only an action clears (issue 18).
    ("new", "action_needed"),
    ("sent", "action_needed"),
    ("escalated", "action_needed"),
    ("action_needed", "new"),
    ("action_needed", "sent"),
    ("action_needed", "escalated"),
    ("action_needed", "rejected"),
    ("action_needed", "closed"),
    # The centre shows the data; the portal the citizen named follows.
    ("sent", "centre_applied"),
    ("escalated", "centre_applied"),
    ("centre_applied", "resolved"),
    ("centre_applied", "closed"),
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


def test_the_promise_runs_for_every_open_ticket_except_those_the_centre_already_shows():
    from tickets.workflow import AWAITING_CENTRE, OPEN_STATUSES

    assert AWAITING_CENTRE == OPEN_STATUSES - {Status.CENTRE_APPLIED}
    assert Status.ACTION_NEEDED in AWAITING_CENTRE
