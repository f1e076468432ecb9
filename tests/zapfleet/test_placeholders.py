"""Placeholders by their Portuguese names ({nome}, {link}, {empresa}…) work as the English ones."""
from __future__ import annotations

import pytest

from zapfleet.campaigns.runner import campaign_text
from zapfleet.core.errors import InvalidInput
from zapfleet.tenancy.templates import CAMPAIGN_PLACEHOLDERS, check_placeholders, render, template_value


def _recipient(message: str, **fields) -> dict:
    return {"message": message, "variants": [], "name": "Ana Souza", "media_id": None,
            "link": "https://loja.example.com/promo", "qr_code_url": None, **fields}


def test_portuguese_and_english_names_render_alike():
    values = {"name": "Ana", "business": "Salão Bela", "date": "04/12/2026", "time": "14:30"}
    assert render("Oi {nome}, até {data} às {hora}. {empresa}", values) == \
        "Oi Ana, até 04/12/2026 às 14:30. Salão Bela"
    assert render("Oi {name}, até {date} às {time}. {business}", values) == \
        "Oi Ana, até 04/12/2026 às 14:30. Salão Bela"


def test_a_campaign_with_nome_and_link_gets_the_link_once():
    assert campaign_text(_recipient("Oi {nome}! Veja: {link}"), lambda: 0.0) == \
        "Oi Ana! Veja: https://loja.example.com/promo"
    assert campaign_text(_recipient("Oi {name}!"), lambda: 0.0) == \
        "Oi Ana!\nhttps://loja.example.com/promo"
    qr = _recipient("Oi {nome}! {qr_code}", link=None, qr_code_url="https://loja.example.com/qr.png")
    assert campaign_text(qr, lambda: 0.0) == "Oi Ana! https://loja.example.com/qr.png"


def test_portuguese_names_are_allowed_where_their_english_ones_are():
    assert check_placeholders("Oi {nome} {link} {qr_code}", CAMPAIGN_PLACEHOLDERS, "message")
    assert template_value("Olá {nome}! {empresa}", "away") == "Olá {nome}! {empresa}"
    with pytest.raises(InvalidInput) as err:
        template_value("Olá {nome}, seu {servico}", "away")  # no service in the away message
    assert err.value.field == "templates.away"
    with pytest.raises(InvalidInput):
        check_placeholders("Oi {cidade}", CAMPAIGN_PLACEHOLDERS, "message")
