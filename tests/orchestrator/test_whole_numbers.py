"""Whole numbers typed by people or sent in URLs: `str.isdigit` also says yes to digits `int` cannot read
(`①`, `²`), so every check that precedes an `int()` asks `isdecimal`, which says yes to exactly what `int`
reads (ASCII, fullwidth and other decimal digits)."""

import pytest

from orchestrator.commands.devnet import parse_duration
from orchestrator.errors import InputError
from orchestrator.observers import elections


@pytest.mark.parametrize("text", ["①", "²", "1²", "⑦⑧"])
def test_digits_int_cannot_read_are_refused_not_a_crash(text):
    with pytest.raises(InputError, match="is not a whole number"):
        elections.election_id(text)
    with pytest.raises(InputError, match="is not a positive whole number"):
        parse_duration(text + "h")


@pytest.mark.parametrize("text, value", [("7", 7), ("１２", 12), ("٣", 3)])
def test_decimal_digits_of_any_script_are_read(text, value):
    assert elections.election_id(text) == value
    assert parse_duration(text + "min") == value * 60
