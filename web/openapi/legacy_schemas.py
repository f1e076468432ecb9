"""Hand-written OpenAPI components of the shapes not yet declared as models, and their helpers."""
from __future__ import annotations

from typing import Any

from zapfleet.core.vocabulary import CAMPAIGN_STATUSES, USER_ROLES

Schema = dict[str, Any]

ROLES = USER_ROLES
TAG_RULE = "letters, digits, spaces and . : / -, starting with a letter or digit, up to 50 characters"


def ref(name: str) -> Schema:
    """A reference to a schema under components/schemas."""
    return {"$ref": f"#/components/schemas/{name}"}


def described(schema: Schema, description: str) -> Schema:
    """A copy of the schema with a description."""
    return {**schema, "description": description}


def nullable(schema: Schema) -> Schema:
    """The schema, also allowing null."""
    return {**schema, "type": [schema["type"], "null"]}


def string(description: str, **constraints: Any) -> Schema:
    """A string with a description and optional constraints (format, maxLength, enum, ...)."""
    return {"type": "string", **constraints, "description": description}


def uuid(description: str) -> Schema:
    """A UUID string."""
    return string(description, format="uuid")


def timestamp(description: str) -> Schema:
    """An ISO 8601 date-time string."""
    return string(description, format="date-time")


def tag_list(description: str) -> Schema:
    """A list of short tags."""
    return {"type": "array", "maxItems": 50, "items": string(f"A tag: {TAG_RULE}.", maxLength=50),
            "description": description}


def obj(properties: dict[str, Schema], description: str, required: tuple[str, ...] = ()) -> Schema:
    """An object schema; `required` lists the properties that must be present."""
    schema: Schema = {"type": "object", "properties": properties}
    if description:
        schema["description"] = description
    if required:
        schema["required"] = list(required)
    return schema


def record(properties: dict[str, Schema], description: str) -> Schema:
    """An object the API returns: every property is always present."""
    return obj(properties, description, required=tuple(properties))


def without_required(schema: Schema, description: str) -> Schema:
    """The partial-update variant of an input schema: every property optional."""
    partial = {key: value for key, value in schema.items() if key != "required"}
    return {**partial, "description": description}


def list_of(name: str, description: str) -> Schema:
    """{"items": [...]} holding every item of a schema."""
    return record({"items": {"type": "array", "items": ref(name)}}, description)


def page_of(name: str, description: str) -> Schema:
    """{"items": [...], "next_cursor": ...}: one page of a keyset-paginated list."""
    return record({
        "items": {"type": "array", "items": ref(name)},
        "next_cursor": nullable(string("Pass as ?cursor= to get the next page; null on the last page.")),
    }, description)


def _campaign_schemas() -> dict[str, Schema]:
    fields = {
        "name": string("Display name.", minLength=1, maxLength=200),
        "message": string("The text to send; {name} (the contact's first name), {link} and "
                          "{qr_code_url} are filled in, and the link and QR-code URL are added at "
                          "the end when the text does not place them.", maxLength=4096),
        "variants": {"type": "array", "maxItems": 10, "items": string("Another text.", maxLength=4096),
                     "description": "Other wordings; each recipient gets the message or one of "
                                    "these at random."},
        "link": nullable(string("An http(s) link to include; null or empty clears it.", format="uri")),
        "qr_code_url": nullable(string("An http(s) URL of a QR-code image; null or empty clears it.",
                                       format="uri")),
        "target_tags": tag_list("Send to contacts with any of these tags."),
    }
    campaign = record({
        "id": uuid("The campaign's id."),
        "account_id": uuid("The account the campaign belongs to."),
        **fields,
        "status": string("Lifecycle status; new campaigns are drafts.", enum=list(CAMPAIGN_STATUSES)),
        "send_at": nullable(timestamp("When a scheduled campaign starts.")),
        "started_at": nullable(timestamp("When it started (its recipients were fixed).")),
        "finished_at": nullable(timestamp("When it completed or was cancelled.")),
        "counts": ref("CampaignCounts"),
        "created_at": timestamp("When the campaign was created."),
        "updated_at": timestamp("When the campaign last changed."),
    }, "A bulk message to a set of contacts; texts and tags change only before it starts.")
    creation = obj(fields, "A new draft campaign.", required=("name",))
    return {"Campaign": campaign, "CampaignInput": creation,
            "CampaignChanges": without_required(creation, "Changes to a campaign."),
            "CampaignList": list_of("Campaign", "Every campaign, newest first.")}


def component_schemas() -> dict[str, Schema]:
    """Every reusable schema, by name."""
    return {

        **_campaign_schemas(),
    }
