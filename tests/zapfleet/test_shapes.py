"""parse(): a dict checked against a shape, its first problem reported as InvalidInput(field, message)."""
from typing import Annotated

import pytest

from zapfleet.core.errors import InvalidInput
from zapfleet.core.shapes import Choice, Patch, RequiredText, Shape, WholeNumber, parse
from zapfleet.messaging.shapes import ContactIn, ContactPatch


class Sample(Shape):
    """A shape with one field of each kind."""

    name: Annotated[str, RequiredText(10)]
    size: Annotated[int, WholeNumber(1, 100)] = 10
    color: Annotated[str, Choice(("red", "blue"))] = "red"


class Inner(Shape):
    """A nested shape."""

    child: Sample


class SamplePatch(Patch):
    """A partial shape."""

    name: Annotated[str | None, RequiredText(10)] = None
    size: Annotated[int | None, WholeNumber(1, 100)] = None


@pytest.mark.parametrize("data, field, message", [
    ({}, "name", "is required"),
    ({"name": None}, "name", "is required"),
    ({"name": 5}, "name", "must be a string"),
    ({"name": "  "}, "name", "must not be empty"),
    ({"name": "x" * 11}, "name", "must be at most 10 characters"),
    ({"name": "a", "size": 0}, "size", "must be a whole number from 1 to 100"),
    ({"name": "a", "size": True}, "size", "must be a whole number from 1 to 100"),
    ({"name": "a", "color": "green"}, "color", "must be one of: red, blue"),
    ([], "body", "must be a JSON object"),
])
def test_the_first_problem_names_its_field_with_todays_message(data, field, message):
    with pytest.raises(InvalidInput) as err:
        parse(Sample, data)
    assert (err.value.field, err.value.detail) == (field, message)


def test_nested_fields_are_named_by_their_dotted_path():
    with pytest.raises(InvalidInput) as err:
        parse(Inner, {"child": {"name": "a", "size": 500}})
    assert err.value.field == "child.size"


def test_valid_input_is_cleaned_and_defaults_fill_in():
    assert parse(Sample, {"name": " ana ", "size": 3.0}).model_dump() == {
        "name": "ana", "size": 3, "color": "red"}


def test_a_partial_shape_keeps_only_the_fields_sent():
    assert parse(SamplePatch, {"size": 5}).model_dump(exclude_unset=True) == {"size": 5}
    with pytest.raises(InvalidInput) as err:
        parse(SamplePatch, {"name": None})
    assert err.value.field == "name"


def test_the_phone_region_comes_from_the_context():
    assert parse(ContactIn, {"phone": "(11) 91111-1111"}, region="BR").phone == "5511911111111"
    assert parse(ContactPatch, {"phone": "+1 202 555 0123"}, region="US").phone == "12025550123"


def test_limits_and_enums_reach_the_json_schema():
    schema = Sample.model_json_schema()
    assert schema["properties"]["name"]["maxLength"] == 10
    assert schema["properties"]["color"]["enum"] == ["red", "blue"]
    assert (schema["properties"]["size"]["minimum"], schema["properties"]["size"]["maximum"]) == (1, 100)
    assert "default" not in SamplePatch.model_json_schema()["properties"]["name"]
