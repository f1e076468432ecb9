"""Messaging settings: validation naming the field, merging key by key, lenient reading."""
import pytest

from zapfleet.tenancy.account_settings import DEFAULTS, effective, merged
from zapfleet.tenancy.settings_shapes import validate_changes
from zapfleet.core.errors import InvalidInput
from zapfleet.tenancy.templates import DEFAULT_TEMPLATES, render


def test_nothing_stored_means_every_default():
    settings = effective({})
    assert settings["time_zone"] == "America/Sao_Paulo" and settings["reminder_hours"] == 24
    assert settings["templates"] == DEFAULT_TEMPLATES and settings["pacing"] == DEFAULTS["pacing"]
    assert settings["auto_reply"] is False and settings["booking_bot"] is False


@pytest.mark.parametrize("changes, field", [
    ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"reminder_hours": -1}, "reminder_hours"),
    ({"auto_reply": "yes"}, "auto_reply"),
    ({"business_hours": {"mon": ["18:00-09:00"]}}, "business_hours.mon"),
    ({"business_hours": {"mon": ["08:00-12:00", "11:00-14:00"]}}, "business_hours.mon"),
    ({"business_hours": {"monday": []}}, "business_hours.monday"),
    ({"pacing": {"window_start": "8h"}}, "pacing.window_start"),
    ({"templates": {"reminder": "Oi {cidade}"}}, "templates.reminder"),
    ({"color": "blue"}, "color"),
])
def test_bad_settings_name_the_field(changes, field):
    with pytest.raises(InvalidInput) as error:
        merged({}, validate_changes(changes))
    assert error.value.field == field


def test_min_gap_above_max_gap_is_refused():
    with pytest.raises(InvalidInput, match="pacing.min_gap_seconds"):
        merged({}, validate_changes({"pacing": {"min_gap_seconds": 50}}))


def test_groups_merge_key_by_key_and_null_restores_the_default():
    stored = merged({}, validate_changes({"templates": {"away": "Fechado!"},
                                          "business_hours": {"sun": ["10:00-14:00"]}}))
    stored = merged(stored, validate_changes({"templates": {"reminder": "Até amanhã, {name}"}}))
    settings = effective(stored)
    assert settings["templates"]["away"] == "Fechado!"
    assert settings["templates"]["reminder"] == "Até amanhã, {name}"
    assert settings["business_hours"]["sun"] == ["10:00-14:00"]
    assert settings["business_hours"]["mon"] == ["09:00-18:00"]
    restored = effective(merged(stored, validate_changes({"templates": {"away": None}})))
    assert restored["templates"]["away"] == DEFAULT_TEMPLATES["away"]


def test_invalid_stored_values_fall_back_to_their_defaults():
    settings = effective({"time_zone": 42, "reminder_hours": "x", "pacing": {"daily_cap": -5},
                          "templates": {"away": "{bogus}"}, "booking_bot": True})
    assert settings["time_zone"] == "America/Sao_Paulo" and settings["reminder_hours"] == 24
    assert settings["pacing"]["daily_cap"] == 200
    assert settings["templates"]["away"] == DEFAULT_TEMPLATES["away"]
    assert settings["booking_bot"] is True


def test_opt_out_keywords_are_kept_upper_case_once():
    assert validate_changes({"opt_out_keywords": ["sair", "SAIR", " parar "]}) == {
        "opt_out_keywords": ["SAIR", "PARAR"]}


def test_render_fills_placeholders_and_tidies_an_empty_name():
    assert render("Olá {name}! Seu {service}", {"name": "Ana", "service": "corte"}) == \
        "Olá Ana! Seu corte"
    assert render("Olá {name}, tudo bem?", {"name": ""}) == "Olá, tudo bem?"
    assert render("Olá {name}! {unknown}", {"name": ""}) == "Olá! {unknown}"
