"""Message templates: the Portuguese defaults, their placeholders, and rendering."""
from __future__ import annotations

import re
from collections.abc import Mapping

from zapfleet.core.errors import InvalidInput

PLACEHOLDER = re.compile(r"\{(\w+)\}")
MAX_TEMPLATE = 1000
_NOTICE = ("name", "service", "date", "time", "weekday", "business")

DEFAULT_TEMPLATES: dict[str, str] = {
    "confirmation": "Olá {name}! Seu agendamento de {service} está confirmado para {weekday}, "
                    "{date} às {time}. Para cancelar, responda CANCELAR. {business}",
    "reminder": "Olá {name}! Lembrete: {service} {weekday}, {date} às {time}. Até lá! {business}",
    "cancellation": "Olá {name}, seu agendamento de {service} de {weekday}, {date} às {time} "
                    "foi cancelado. Para marcar outro horário, responda AGENDAR. {business}",
    "away": "Olá! Estamos fora do horário de atendimento. Responderemos assim que possível. "
            "{business}",
    "opt_out": "Pronto, você não receberá mais nossas campanhas. {business}",
    "booking_services": "Olá {name}! Qual serviço você quer agendar? Responda com o número:\n"
                        "{services}",
    "booking_slots": "Horários livres para {service}:\n{slots}\nResponda com o número ou com "
                     "dia e hora, por exemplo \"14:30 amanhã\".",
    "booking_no_slots": "Não há horários livres para {service} nos próximos {days} dias. "
                        "Escreva sua preferência que respondemos em breve.",
    "booking_slot_taken": "Esse horário não está disponível. Escolha um destes:\n{slots}",
    "booking_help": "Para agendar, responda AGENDAR. Para cancelar seu próximo horário, "
                    "responda CANCELAR.",
    "booking_nothing_to_cancel": "Você não tem nenhum agendamento para cancelar.",
    "booking_aborted": "Tudo bem, nada foi agendado. Quando quiser, responda AGENDAR.",
    "booking_no_services": "No momento não há serviços para agendar por aqui. "
                           "Escreva sua dúvida que respondemos em breve.",
    "call_rejected": "Olá! Não atendemos ligações por este número. Escreva sua mensagem que "
                     "respondemos em breve. {business}",
}

PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "confirmation": _NOTICE, "reminder": _NOTICE, "cancellation": _NOTICE,
    "away": ("name", "business"), "opt_out": ("name", "business"),
    "booking_services": ("name", "business", "services"),
    "booking_slots": ("name", "service", "slots"),
    "booking_no_slots": ("name", "service", "days"),
    "booking_slot_taken": ("name", "service", "slots"),
    "booking_help": ("name", "business"),
    "booking_nothing_to_cancel": ("name", "business"),
    "booking_aborted": ("name", "business"),
    "booking_no_services": ("name", "business"),
    "call_rejected": ("name", "business"),
}
CAMPAIGN_PLACEHOLDERS = ("name", "link", "qr_code_url")
PORTUGUESE_NAMES: dict[str, str] = {
    "name": "nome", "link": "link", "qr_code_url": "qr_code", "business": "empresa",
    "service": "servico", "date": "data", "time": "hora", "weekday": "dia_da_semana",
    "services": "servicos", "slots": "horarios", "days": "dias"}
"""Each placeholder's Portuguese name: {nome} is {name} (the English names keep working)."""
_ENGLISH = {**{pt: en for en, pt in PORTUGUESE_NAMES.items()},
            "serviço": "service", "serviços": "services", "horários": "slots"}


def canonical(placeholder: str) -> str:
    """A placeholder's English name ("nome" → "name"); unknown names are returned as they are."""
    return _ENGLISH.get(placeholder, placeholder)


def mentions(text: str, placeholder: str) -> bool:
    """True when the text uses the placeholder, by its English or Portuguese name."""
    return any(canonical(p) == placeholder for p in PLACEHOLDER.findall(text))


def check_placeholders(text: str, allowed: tuple[str, ...], field: str) -> str:
    """The text, when every {placeholder} in it is one of allowed."""
    unknown = sorted({p for p in PLACEHOLDER.findall(text) if canonical(p) not in allowed})
    if unknown:
        known = ", ".join("{" + p + "}" for p in allowed)
        raise InvalidInput(field, "unknown placeholder %(unknown)s; use %(known)s",
                           unknown="{" + unknown[0] + "}", known=known)
    return text


def template_value(value: object, name: str) -> str:
    """A valid text for the template called name (may be empty: that template sends nothing)."""
    field = f"templates.{name}"
    if not isinstance(value, str):
        raise InvalidInput(field, "must be a string")
    if len(value) > MAX_TEMPLATE:
        raise InvalidInput(field, "must be at most %(most)s characters", most=MAX_TEMPLATE)
    return check_placeholders(value.strip(), PLACEHOLDERS[name], field)


def render(text: str, values: Mapping[str, object]) -> str:
    """The text with each known {placeholder} replaced; blanks left by empty values tidied."""
    def value(match: re.Match) -> str:
        name = canonical(match.group(1))
        return str(values[name]) if name in values else match.group(0)
    rendered = PLACEHOLDER.sub(value, text)
    rendered = re.sub(r"[ \t]+([,.!?;:])", r"\1", rendered)
    rendered = re.sub(r"[ \t]{2,}", " ", rendered)
    return "\n".join(line.strip() for line in rendered.split("\n")).strip()


def first_name(name: str | None) -> str:
    """The first word of a contact's name ("" when it has none)."""
    words = (name or "").split()
    return words[0] if words else ""
