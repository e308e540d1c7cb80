import logging

from lifegate.core.logging import RedactingFormatter, redact_bsns
from lifegate.core.subject import Subject, bsn_is_valid


def test_valid_bsn_passes_the_elfproef():
    # 9*9 + 8*9 + 7*9 + 6*9 + 5*9 + 4*0 + 3*0 + 2*1 - 1*9 = 308 = 28 * 11
    assert bsn_is_valid("999990019")


def test_invalid_bsns_are_rejected():
    assert not bsn_is_valid("999990018")
    assert not bsn_is_valid("12345678")
    assert not bsn_is_valid("abcdefghi")
    assert not bsn_is_valid("000000000")


def test_subject_never_renders_its_identifier():
    subject = Subject("bsn", "999990019")
    assert "999990019" not in str(subject)
    assert "999990019" not in repr(subject)
    assert Subject.from_dict(subject.as_dict()) == subject


def test_logs_mask_valid_bsns_but_keep_other_numbers():
    assert redact_bsns("read 999990019 and order 123456789") == "read ********* and order 123456789"


def test_log_lines_mask_the_bsn_in_message_and_traceback():
    formatter = RedactingFormatter("{message}", style="{")
    try:
        raise KeyError("no person 999990019 here")
    except KeyError:
        import sys

        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "person %s", ("999990019",), sys.exc_info()
        )
    line = formatter.format(record)
    assert "999990019" not in line
    assert "person *********" in line
    assert "KeyError" in line  # the traceback itself is still there
