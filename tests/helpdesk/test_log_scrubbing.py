"""The NIK scrubber of every log line masks NIK and KK numbers and leaves other numbers alone."""

import json
import logging

import pytest

from citizens.nik import scrub
from helpdesk.jsonlog import ScrubbingJsonFormatter
from helpdesk.logs import ScrubbingFormatter
from tests.cast import KK_NEW, NIK


def record(msg, *args, **extra):
    rec = logging.LogRecord("celery.app.trace", logging.INFO, __file__, 1, msg, args, None)
    rec.__dict__.update(extra)
    return rec


@pytest.mark.parametrize(
    "text",
    [
        "Task sync.tasks.check[1] succeeded in 0.0123456789012031s: 'verified'",
        "latency 12.3319014101900001 ms",
        "order 33190141019000012 has 17 digits",
        "id 123456789012345 has 15 digits",
    ],
)
def test_numbers_that_are_not_a_standalone_sixteen_digit_number_are_left_alone(text):
    assert scrub(text) == text
    assert ScrubbingFormatter("%(message)s").format(record(text)) == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"NIK {NIK}.", "NIK ************0001."),
        (f"{NIK},{KK_NEW}", "************0001,************0002"),
        (f"/residents/{NIK}?x=1", "/residents/************0001?x=1"),
        (f"nik={NIK}", "nik=************0001"),
    ],
)
def test_a_standalone_sixteen_digit_number_is_masked_to_its_last_four_digits(text, masked):
    assert scrub(text) == masked


def test_a_json_line_keeps_a_task_runtime_as_a_number_and_masks_a_nik_given_as_an_int():
    line = ScrubbingJsonFormatter().format(
        record("succeeded in %ss", 0.0123456789012031, runtime=0.0123456789012031, nik=int(NIK))
    )

    data = json.loads(line)
    assert data["message"] == "succeeded in 0.0123456789012031s"
    assert data["runtime"] == 0.0123456789012031
    assert data["nik"] == "************0001"
