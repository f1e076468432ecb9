"""The OpenAPI paths and schemas of the WhatsApp side: instances, sending, webhooks, the sandbox."""
from __future__ import annotations

from typing import Any

from web.openapi.common import (
    ACCOUNT,
    json_body,
    json_response,
    no_content,
    operation,
    page_parameters,
    query,
)
from web.openapi.legacy_schemas import described, nullable, obj, page_of, record, ref, string, timestamp, uuid
from zapfleet.core.vocabulary import DELIVERY_STATUSES, DESIRED_STATES, ENGINE_NAMES, INSTANCE_STATUSES
from zapfleet.messaging.webhooks import WEBHOOK_EVENTS

Spec = dict[str, Any]

ENGINES = ENGINE_NAMES
MAX_LOG_LINES = 2000
LIFECYCLE_ERRORS = (409, 503)  # another change holds the account's lock; supervisor or worker down


def also(op: Spec, **responses: Spec) -> Spec:
    """The operation with more success responses (status=response, such as s200=...)."""
    extra = {name.lstrip("s"): response for name, response in responses.items()}
    op["responses"] = dict(sorted({**op["responses"], **extra}.items()))
    return op


def _integer(description: str, **constraints: Any) -> Spec:
    return {"type": "integer", **constraints, "description": description}


def _instance_schemas() -> dict[str, Spec]:
    instance = record({
        "id": uuid("The instance's id."),
        "account_id": uuid("The account the instance belongs to (one instance per account)."),
        "instance_name": string("The worker's process name, <account slug>_whatsapp."),
        "port": nullable(_integer("The local port of the account's worker.", minimum=1, maximum=65535)),
        "engine": string("The WhatsApp engine the worker runs.", enum=list(ENGINES)),
        "status": string("Observed state: what the worker last reported.", enum=list(INSTANCE_STATUSES)),
        "desired_state": string("What should run: set by connect, start, stop and restart.",
                                enum=list(DESIRED_STATES)),
        "qr_code": nullable(string("The text the current QR encodes; null when there is none.")),
        "phone": nullable(string("The linked phone, E.164 digits; null while not linked.")),
        "last_connected": nullable(timestamp("When the worker last connected.")),
        "last_error": nullable(string("Why it is not connected, readable (e.g. \"cannot reach "
                                      "WhatsApp: …\", or a temporary ban's meaning); null when fine.")),
        "banned_until": nullable(timestamp("While the status is banned: when WhatsApp's temporary "
                                           "ban ends (sending waits until then).")),
        "evolution_server_id": nullable(uuid("The Evolution server it was placed on (evolution "
                                             "engine); null for the environment's or another engine.")),
        "created_at": timestamp("When the instance was created."),
        "updated_at": timestamp("When the instance last changed."),
    }, "An account's WhatsApp instance: the worker process that holds its session.")
    listed = {"allOf": [ref("Instance"), record({
        "account_name": string("The account's display name."),
        "account_slug": string("The account's slug."),
    }, "")], "description": "An instance with its account's name and slug."}
    connection = record({
        "instance": ref("Instance"),
        "qr": nullable(record({"code": string("The text to show as a QR code.")},
                              "The QR to scan; null when already connected or none yet.")),
        "is_reconnect": described({"type": "boolean"}, "True when the account already had an instance."),
        "already_connected": described({"type": "boolean"}, "True when the phone is linked already."),
    }, "The outcome of create-or-reconnect.")
    qr = record({"code": string("The text the QR encodes."),
                 "state": string("The worker's state.", enum=list(INSTANCE_STATUSES))},
                "The current QR code as JSON.")
    engine = obj({"engine": string("The engine.", enum=list(ENGINES))}, "An engine to use.")
    engines = record({"items": {"type": "array", "items": record({
        "name": string("The engine's name.", enum=list(ENGINES)),
        "label": string("How to show it."),
        "default": described({"type": "boolean"}, "True for WHATSAPP_ENGINE's engine."),
        "available": described({"type": "boolean"}, "False when it cannot run here."),
        "reason": nullable(string("Why it cannot run here.")),
        "pairing_code": described({"type": "boolean"},
                                  "True when it can link a phone by a code typed on it (…/whatsapp/pair)."),
    }, "One engine.")}}, "Every engine zapfleet has.")
    pair = obj({"phone": string("The phone's own number, e.g. 11 99999-0000 or +55 11 99999-0000.")},
               "The phone to link with a pairing code.", required=("phone",))
    code = record({"code": string("The code to type on the phone: WhatsApp > Linked devices > "
                                  "Link with phone number."),
                   "phone": string("The phone's number, digits.")}, "A pairing code.")
    return {"Instance": instance, "ListedInstance": listed, "Connection": connection, "QrCode": qr,
            "EngineInput": engine, "EngineList": engines, "PairInput": pair, "PairingCode": code,
            "InstanceList": record({"items": {"type": "array", "items": ref("ListedInstance")}},
                                   "Every instance the caller may see, oldest first.")}


def _messaging_schemas() -> dict[str, Spec]:
    send = obj({
        "phone": string("The recipient's phone in any common format; local numbers use the default "
                        "region. A contact is created when there is none."),
        "message": string("The text, not only blanks.", minLength=1, maxLength=4096),
        "idempotency_key": string("Your key for this message: sending it again answers with the "
                                  "first message instead of sending twice.", maxLength=200),
        "send_at": timestamp("Schedule it: ISO 8601 with an offset, within a year. It is kept "
                             "until then (202) and can be cancelled."),
    }, "A message to send.", required=("phone", "message"))
    outbox = record({
        "attempts": _integer("How often it was handed to the worker.", minimum=0),
        "lease_until": nullable(timestamp("Until when a sender holds it; null when free.")),
        "deadline_at": nullable(timestamp("When it fails if still not sent.")),
        "sent_at": nullable(timestamp("When the worker sent it.")),
    }, "")
    sent = {"allOf": [ref("Message"), outbox],
            "description": "An outbound message and its outbox state."}
    result = record({"message": ref("OutboxMessage"),
                     "duplicate": described({"type": "boolean"},
                                            "True when the idempotency key was used before.")},
                    "The message as sent, queued or found by its idempotency key.")
    inbound = obj({"phone": string("The customer's phone."),
                   "message": string("The text the customer sends.")},
                  "A customer's message to the sandbox phone.", required=("phone", "message"))
    return {"SendInput": send, "OutboxMessage": sent, "SendResult": result, "SandboxInbound": inbound,
            "SandboxInjected": record({"provider_message_id": string("The id given to the message.")},
                                      "The injected message; it arrives through the worker's events.")}


def _webhook_schemas() -> dict[str, Spec]:
    events = {"type": "array", "minItems": 1, "uniqueItems": True,
              "items": string("An event.", enum=list(WEBHOOK_EVENTS)),
              "description": "The events to deliver; all of them when omitted."}
    base = {
        "account_id": uuid("The account the webhook belongs to."),
        "url": string("Where events are POSTed.", format="uri"),
        "events": events,
        "enabled": described({"type": "boolean"}, "False to stop deliveries without removing it."),
        "created_at": timestamp("When the webhook was created."),
        "updated_at": timestamp("When the webhook last changed."),
    }
    webhook = record({**base, "secret_hint": string("The first characters of the signing secret.")},
                     "An account's webhook; the secret is not shown.")
    new = record({**base, "secret": string("The signing secret (HMAC-SHA256 over \"<timestamp>.<body>\" "
                                           "in X-Zapfleet-Signature): store it now, it is shown once.")},
                 "A webhook just created or whose secret was rotated, with its secret.")
    change = obj({
        "url": string("An http:// or https:// URL.", format="uri", maxLength=2000),
        "events": events,
        "enabled": described({"type": "boolean", "default": True}, "False to pause deliveries."),
        "rotate_secret": described({"type": "boolean", "default": False},
                                   "True to replace the signing secret."),
    }, "A webhook to create or change.", required=("url",))
    delivery = record({
        "id": uuid("The delivery's id (also sent as X-Zapfleet-Delivery)."),
        "account_id": uuid("The account the delivery belongs to."),
        "event": string("The event.", enum=list(WEBHOOK_EVENTS)),
        "payload": described({"type": "object"}, "The JSON body POSTed: {id, event, account_id, "
                                                  "created_at, data}."),
        "status": string("pending until delivered or given up.", enum=list(DELIVERY_STATUSES)),
        "attempts": _integer("How many times it was tried.", minimum=0),
        "next_attempt_at": timestamp("When it is tried next while pending."),
        "last_status_code": nullable(_integer("The HTTP status of the last try; null if none came.")),
        "last_error": nullable(string("Why the last try failed.")),
        "created_at": timestamp("When the event happened."),
        "delivered_at": nullable(timestamp("When the URL accepted it.")),
    }, "One event's delivery to the webhook.")
    return {"Webhook": webhook, "NewWebhook": new, "WebhookInput": change, "WebhookDelivery": delivery,
            "WebhookDeliveryPage": page_of("WebhookDelivery", "A page of deliveries, newest first.")}


def worker_schemas() -> dict[str, Spec]:
    """The schemas of the WhatsApp side, by name."""
    return {**_instance_schemas(), **_messaging_schemas(), **_webhook_schemas()}


def _qr_parameters() -> list[Spec]:
    return [query("format", "json (the default), png or svg.",
                  {"type": "string", "enum": ["json", "png", "svg"], "default": "json"})]


def _qr_response() -> Spec:
    image = {"type": "string", "contentMediaType": "image/png"}
    return {"description": "The QR code in the asked format.", "headers": {
        "Cache-Control": {"schema": {"type": "string"}, "description": "no-store"}}, "content": {
        "application/json": {"schema": ref("QrCode")},
        "image/png": {"schema": image},
        "image/svg+xml": {"schema": {"type": "string", "contentMediaType": "image/svg+xml"}}}}


def _qr(operation_id: str) -> Spec:
    return operation(
        operation_id, "WhatsApp", "Get the QR code",
        "The QR to scan with the phone, as JSON or an image; 404 when there is none right now "
        "(no instance, or the phone is linked already).",
        access="account", parameters=_qr_parameters(), error_statuses=(400, 503),
        ok=(200, _qr_response()))


def _whatsapp_operations() -> list[tuple[str, str, Spec]]:
    base = f"{ACCOUNT}/whatsapp"
    log = {"description": "The last lines of the log.",
           "content": {"text/plain": {"schema": {"type": "string"}}}}
    lines = {"type": "integer", "minimum": 1, "maximum": MAX_LOG_LINES, "default": 200}
    return [
        (f"{base}/connect", "post", also(operation(
            "connect", "WhatsApp", "Connect WhatsApp",
            "Creates the account's instance (201) or reconnects the one it has (200), starts its "
            "worker and waits briefly for it; answers with the QR to scan unless already connected. "
            "An optional body {\"engine\"} picks the engine (default WHATSAPP_ENGINE); an existing "
            "instance on another engine is switched first (its old session is unlinked). An "
            "evolution instance is placed on an Evolution server: 400 when there is none, 503 "
            "when all are full.",
            access="account", body=json_body("EngineInput", required=False),
            error_statuses=(400, *LIFECYCLE_ERRORS),
            ok=(201, json_response("A new instance and its QR.", "Connection"))),
            s200=json_response("The existing instance, reconnected, and its QR.", "Connection"))),
        (base, "get", operation(
            "status", "WhatsApp", "Get the WhatsApp instance",
            "The instance: desired state, observed status, phone and port; 404 when there is none.",
            access="account", ok=(200, json_response("The instance.", "Instance")))),
        (base, "patch", operation(
            "change", "WhatsApp", "Switch the engine",
            "Moves the instance to another engine: the old session is unlinked and wiped (an "
            "Evolution instance is deleted there), and the worker restarts on the new engine; link "
            "the phone again.", access="account", body=json_body("EngineInput"),
            error_statuses=(400, *LIFECYCLE_ERRORS),
            ok=(200, json_response("The instance on its new engine.", "Instance")))),
        (f"{base}/pair", "post", operation(
            "pair", "WhatsApp", "Get a pairing code",
            "Instead of scanning the QR, type this code on the phone (neonize and evolution engines, "
            "while the QR is shown); 409 when the engine has none or the instance is linked.",
            access="account", body=json_body("PairInput"), error_statuses=(400, 409, 503),
            ok=(200, json_response("The pairing code.", "PairingCode")))),
        (f"{base}/qr", "get", _qr("qr")),
        (f"{base}/logs", "get", operation(
            "logs", "WhatsApp", "Read the worker log",
            "The tail of the account's own worker log; empty when there is none yet.",
            access="account", error_statuses=(400,), ok=(200, log),
            parameters=[query("lines", "How many lines, from the end.", lines)])),
        (f"{ACCOUNT}/send", "post", also(operation(
            "send", "WhatsApp", "Send a message",
            "Stores the message in the outbox, then hands it to the worker: 201 when sent, 202 when "
            "queued for a retry (the worker is stopped, down or not linked; the error field says "
            "why), 200 with duplicate true when the idempotency key was used before.",
            access="account", body=json_body("SendInput"), error_statuses=(400,),
            ok=(201, json_response("Sent: the worker took the message.", "SendResult"))),
            s202=json_response("Queued: it will be retried until its deadline.", "SendResult"),
            s200=json_response("A duplicate: the message first sent with this key.", "SendResult"))),
    ]


def _lifecycle(action: str, summary: str, description: str) -> tuple[str, str, Spec]:
    return (f"/api/instances/{{account_id}}/{action}", "post", operation(
        action, "Instances", summary, f"{description} 404 when the account has no instance.",
        access="account", error_statuses=LIFECYCLE_ERRORS,
        ok=(200, json_response("The instance.", "Instance"))))


def _instance_operations() -> list[tuple[str, str, Spec]]:
    return [
        ("/api/instances", "get", operation(
            "list_instances", "Instances", "List instances",
            "Every instance for the platform admin; the account's own (zero or one) for an account key.",
            access="any", ok=(200, json_response("The instances.", "InstanceList")))),
        _lifecycle("start", "Start the worker",
                   "Sets the desired state to running and starts the worker."),
        _lifecycle("stop", "Stop the worker", "Stops the worker; it stays stopped until started."),
        _lifecycle("restart", "Restart the worker",
                   "Stops and starts the worker; the session survives."),
        _lifecycle("logout", "Unlink the phone", "Unlinks the phone from the worker; a new QR follows."),
        ("/api/instances/{account_id}/qr", "get", _qr("qr")),
        ("/api/instances/{account_id}", "delete", operation(
            "delete", "Instances", "Delete the instance",
            "Stops the worker, removes its program and wipes its session. This cannot be undone.",
            access="account", error_statuses=LIFECYCLE_ERRORS, ok=no_content("The instance is gone."))),
    ]


def _webhook_operations() -> list[tuple[str, str, Spec]]:
    base = f"{ACCOUNT}/webhook"
    either = {"oneOf": [ref("NewWebhook"), ref("Webhook")]}
    put_answer = {"description": "The webhook; with its secret when new or rotated, else a hint.",
                  "content": {"application/json": {"schema": either}}}
    return [
        (base, "get", operation(
            "get_webhook", "Webhooks", "Get the webhook", "The webhook without its secret.",
            access="account", ok=(200, json_response("The webhook.", "Webhook")))),
        (base, "put", operation(
            "put_webhook", "Webhooks", "Create or change the webhook",
            "Sets the URL, events and enabled flag. The signing secret is returned only when the "
            "webhook is new or rotate_secret is true.",
            access="account", body=json_body("WebhookInput"), error_statuses=(400,),
            ok=(200, put_answer))),
        (base, "delete", operation(
            "delete_webhook", "Webhooks", "Remove the webhook",
            "Removes the webhook; its delivery log stays.",
            access="account", ok=no_content("The webhook is gone."))),
        (f"{base}/deliveries", "get", operation(
            "list_deliveries", "Webhooks", "List deliveries",
            "A page of the delivery log, newest first.",
            access="account", error_statuses=(400,), parameters=page_parameters("deliveries"),
            ok=(200, json_response("A page of deliveries.", "WebhookDeliveryPage")))),
    ]


def worker_operations() -> list[tuple[str, str, Spec]]:
    """The (path, method, operation) of every WhatsApp, instance, webhook and sandbox route."""
    inbound = operation(
        "inbound", "Sandbox", "Simulate a customer's message",
        "Only for the sandbox engine: makes a message arrive at the linked sandbox phone as if the "
        "customer sent it; it is stored and reaches the webhook through the worker's events.",
        access="account", body=json_body("SandboxInbound"), error_statuses=(400, 409, 503),
        ok=(202, json_response("The message was handed to the worker.", "SandboxInjected")))
    engines = operation(
        "list_engines", "WhatsApp", "List the engines",
        "The WhatsApp engines an instance can run here, which is the default, and why one cannot run.",
        access="any", ok=(200, json_response("The engines.", "EngineList")))
    return [*_whatsapp_operations(), *_instance_operations(), *_webhook_operations(),
            (f"{ACCOUNT}/sandbox/inbound", "post", inbound), ("/api/engines", "get", engines)]
