"""The time-zone picker: Brazil's zones first, by the names people know them by, then the rest
of the world grouped by region. The value stored stays the IANA id."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, available_timezones

from flask_babel import lazy_gettext as _l

BRAZIL = {
    "America/Sao_Paulo": _l("Brasília time (São Paulo, Rio, Minas Gerais, the South, Goiás, DF)"),
    "America/Bahia": _l("Salvador (Bahia)"),
    "America/Fortaleza": _l("Fortaleza (Ceará, Rio Grande do Norte, Piauí, Maranhão)"),
    "America/Recife": _l("Recife (Pernambuco, Paraíba)"),
    "America/Maceio": _l("Maceió (Alagoas, Sergipe)"),
    "America/Belem": _l("Belém (Pará, Amapá)"),
    "America/Santarem": _l("Santarém (western Pará)"),
    "America/Araguaina": _l("Araguaína (Tocantins)"),
    "America/Noronha": _l("Fernando de Noronha"),
    "America/Cuiaba": _l("Cuiabá (Mato Grosso)"),
    "America/Campo_Grande": _l("Campo Grande (Mato Grosso do Sul)"),
    "America/Manaus": _l("Manaus (Amazonas)"),
    "America/Porto_Velho": _l("Porto Velho (Rondônia)"),
    "America/Boa_Vista": _l("Boa Vista (Roraima)"),
    "America/Eirunepe": _l("Eirunepé (western Amazonas)"),
    "America/Rio_Branco": _l("Rio Branco (Acre)"),
}
REGIONS = {
    "America": _l("The Americas"), "Europe": _l("Europe"), "Africa": _l("Africa"),
    "Asia": _l("Asia"), "Atlantic": _l("Atlantic Ocean"), "Australia": _l("Australia"),
    "Pacific": _l("Pacific Ocean"), "Indian": _l("Indian Ocean"), "Antarctica": _l("Antarctica"),
}


def utc_offset(name: str, now: datetime | None = None) -> str:
    """The zone's offset from UTC now, as "UTC−03:00"."""
    offset = (now or datetime.now(ZoneInfo("UTC"))).astimezone(ZoneInfo(name)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "−"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def place_name(name: str) -> str:
    """A zone's place, readable: "America/Argentina/Buenos_Aires" → "Argentina / Buenos Aires"."""
    return " / ".join(name.split("/")[1:]).replace("_", " ")


def zone_groups(current: str | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """(group label, [(IANA id, label)]) for the picker: Brazil first (Brasília time at the top),
    then each region by place name; a current value outside them is kept under "Other"."""
    now = datetime.now(ZoneInfo("UTC"))
    brazil = sorted(BRAZIL, key=lambda z: (z != "America/Sao_Paulo", str(BRAZIL[z])))
    groups = [(str(_l("Brazil")), [(z, f"{BRAZIL[z]} · {utc_offset(z, now)}") for z in brazil])]
    names = available_timezones()
    for region, label in REGIONS.items():
        zones = sorted((n for n in names if n.startswith(region + "/") and n not in BRAZIL),
                       key=place_name)
        groups.append((str(label), [(z, f"{place_name(z)} · {utc_offset(z, now)}") for z in zones]))
    listed = {z for _, options in groups for z, _ in options}
    others = sorted({"UTC"} | ({current} if current and current not in listed else set()))
    groups.append((str(_l("Other")), [(z, z) for z in others if z in names or z == current]))
    return groups
