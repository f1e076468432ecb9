"""The shapes of the messaging settings, made from their rules in zapfleet.tenancy.account_settings,
so that the checks and the document come from one declaration."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import ConfigDict, Field, WithJsonSchema, create_model

from zapfleet.core.shapes import Patch, Shape, checked, parse
from zapfleet.tenancy.account_settings import DEFAULTS, GROUP_DESCRIPTIONS, GROUPS, SCALARS, Rule, merged


class SettingsPatch(Patch):
    """Base of the settings' changes: a key that is not a setting is refused."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=Patch.model_config["json_schema_extra"])


def _nullable_check(rule: Rule) -> Any:
    return checked(lambda value, info: None if value is None else rule.check(value, info.field_name or ""))


def _setting(rule: Rule) -> Any:
    """A field ruled by `rule`; null resets it to its default."""
    shown = WithJsonSchema({**rule.schema, "description": rule.description})
    return Annotated[Any, shown, _nullable_check(rule)], None


def _group_model(group: str) -> type[Patch]:
    fields = {key: _setting(GROUPS[group](key)) for key in DEFAULTS[group]}
    name = "".join(part.title() for part in group.split("_")) + "Changes"
    return create_model(name, __base__=SettingsPatch, __doc__=GROUP_DESCRIPTIONS[group], **fields)


def _changes_model() -> type[SettingsPatch]:
    fields: dict[str, Any] = {key: _setting(rule) for key, rule in SCALARS.items()}
    fields.update({group: (_group_model(group) | None, Field(None, description=GROUP_DESCRIPTIONS[group]))
                   for group in GROUPS})
    return create_model("MessagingSettingsChanges", __base__=SettingsPatch, **fields,
                        __doc__="The settings to change; objects merge key by key and null restores a "
                                "default.")


MessagingSettingsChanges = _changes_model()


def validate_changes(data: Mapping[str, Any]) -> dict[str, Any]:
    """The checked changes of a settings PATCH (null resets a key to its default)."""
    return parse(MessagingSettingsChanges, data).model_dump(exclude_unset=True)


def stored_settings(data: Mapping[str, Any]) -> dict[str, Any]:
    """A whole settings object to store, checked by the same rules as a settings PATCH."""
    return merged({}, validate_changes(data))


def _value(rule: Rule) -> Any:
    return Annotated[Any, WithJsonSchema({**rule.schema, "description": rule.description})], ...


def _values_model() -> type[Shape]:
    groups = {group: create_model("".join(part.title() for part in group.split("_")),
                                  __base__=Shape, __doc__=GROUP_DESCRIPTIONS[group],
                                  **{key: _value(GROUPS[group](key)) for key in DEFAULTS[group]})
              for group in GROUPS}
    fields: dict[str, Any] = {key: _value(rule) for key, rule in SCALARS.items()}
    fields.update({group: (model, ...) for group, model in groups.items()})
    return create_model("MessagingSettingsValues", __base__=Shape, __doc__="Every setting, defaults filled in.",
                        **fields)


MessagingSettingsValues = _values_model()


class MessagingSettings(Shape):
    """An account's messaging settings."""

    settings: MessagingSettingsValues  # type: ignore[valid-type]  # a model made at import, from the rules
    placeholders: dict[str, list[str]] = Field(description="The placeholders each template may use.")
    campaign_placeholders: list[str] = Field(description="The placeholders of campaign texts.")
