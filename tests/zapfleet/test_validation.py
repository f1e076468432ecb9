"""Phone numbers, tags and other field checks."""
import pytest

from zapfleet.core import validation
from zapfleet.core.errors import InvalidInput


@pytest.mark.parametrize("raw, expected", [
    ("5511999999999", "5511999999999"),
    ("+55 11 99999-9999", "5511999999999"),
    ("(11) 99999-9999", "5511999999999"),
    ("11 3333-4444", "551133334444"),
    (5521988887777, "5521988887777"),
    ("+1 202 555 0123", "12025550123"),
])
def test_phones_normalise_to_e164_digits(raw, expected):
    assert validation.phone(raw, "BR") == expected


@pytest.mark.parametrize("raw", ["", "abc", "123", "+55 11", "1" * 40, None, True, ["5511999999999"]])
def test_garbage_phone_is_rejected_naming_the_field(raw):
    with pytest.raises(InvalidInput) as err:
        validation.phone(raw, "BR", field="phone")
    assert err.value.field == "phone"


def test_tags_are_trimmed_and_deduplicated():
    assert validation.tags([" vip", "vip", "cliente novo"]) == ["vip", "cliente novo"]
    with pytest.raises(InvalidInput):
        validation.tags("vip")
    with pytest.raises(InvalidInput):
        validation.tags(["<script>"])


def test_email_is_lowercased_and_checked():
    assert validation.email(" Ana@Example.COM ") == "ana@example.com"
    with pytest.raises(InvalidInput):
        validation.email("ana@")
