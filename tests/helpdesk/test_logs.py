import logging

from helpdesk.logs import ScrubbingFormatter


def test_every_sixteen_digit_number_is_masked_in_messages_and_tracebacks():
    formatter = ScrubbingFormatter("%(message)s")
    try:
        raise ValueError("bad 3319014101900001")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "x",
            logging.ERROR,
            __file__,
            1,
            "nik %s kk %s",
            ("3319014101900001", "3319011503260002"),
            sys.exc_info(),
        )
    text = formatter.format(record)
    assert "3319014101900001" not in text and "3319011503260002" not in text
    assert "************0001" in text and "************0002" in text


def test_shorter_and_longer_digit_runs_are_left_alone():
    formatter = ScrubbingFormatter("%(message)s")
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "phone 081234567890 id 12345678901234567", (), None
    )
    assert formatter.format(record).endswith("phone 081234567890 id 12345678901234567")
