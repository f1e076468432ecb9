"""An account's conversations and their message history; the team inbox's assignment, status,
labels, private notes, quick replies and search."""
from flask import Blueprint, request

from web.auth import account_scoped, current_principal
from web.jsonio import json_body
from web.managers import managers
from web.openapi.declare import shapes
from zapfleet.appointments.shapes import BotPause, BotState
from zapfleet.messaging.inbox_shapes import (
    ConversationPatch,
    ConversationQuery,
    InboxConversationPage,
    Note,
    NoteIn,
    NoteList,
    QuickReply,
    QuickReplyIn,
    QuickReplyList,
    QuickReplyPatch,
    SearchQuery,
    SearchResults,
)
from zapfleet.messaging.shapes import Conversation, MessagePage, PageQuery

bp = Blueprint("conversations", __name__, url_prefix="/api/accounts/<uuid:account_id>")
ONE = "/conversations/<uuid:conversation_id>"


@bp.get("/conversations")
@shapes(tag="Conversations", summary="List conversations", access="account", query=ConversationQuery,
        description="A page of conversations, most recent activity first, each with its last "
                    "message's preview; filtered by status, assignee and label.",
        responses={200: InboxConversationPage})
@account_scoped
def list_conversations(account_id):
    """A page of conversations, most recent first."""
    return managers().inbox.list_conversations(account_id, request.args, current_principal().user_id)


@bp.get(ONE)
@shapes(tag="Conversations", summary="Get a conversation", access="account",
        description="One conversation with its status, assignee and labels.",
        responses={200: Conversation})
@account_scoped
def get_conversation(account_id, conversation_id):
    """One conversation."""
    return managers().conversations.get_conversation(account_id, conversation_id)


@bp.patch(ONE)
@shapes(tag="Conversations", summary="Change a conversation", access="account", body=ConversationPatch,
        description="Sets its status, assignee (a user of the account; null unassigns) or labels.",
        responses={200: Conversation})
@account_scoped
def update_conversation(account_id, conversation_id):
    """Change a conversation's status, assignee or labels."""
    return managers().inbox.update_conversation(account_id, conversation_id, json_body())


@bp.get(ONE + "/messages")
@shapes(tag="Conversations", summary="List a conversation's messages", access="account",
        query=PageQuery, description="A page of one conversation's messages, oldest first.",
        responses={200: MessagePage})
@account_scoped
def list_messages(account_id, conversation_id):
    """A page of one conversation's messages, oldest first."""
    return managers().conversations.list_messages(account_id, conversation_id, request.args.get("limit"),
                                    request.args.get("cursor"))


@bp.get(ONE + "/notes")
@shapes(tag="Conversations", summary="List private notes", access="account",
        description="The conversation's latest private notes, oldest first.", responses={200: NoteList})
@account_scoped
def list_notes(account_id, conversation_id):
    """A conversation's private notes."""
    return {"items": managers().inbox.list_notes(account_id, conversation_id)}


@bp.post(ONE + "/notes")
@shapes(tag="Conversations", summary="Add a private note", access="account", body=NoteIn,
        description="A note for the account's people inside the conversation; never sent.",
        responses={201: Note})
@account_scoped
def add_note(account_id, conversation_id):
    """Add a private note."""
    return managers().inbox.add_note(account_id, conversation_id, json_body(),
                                     current_principal().user_id), 201


@bp.delete(ONE + "/notes/<uuid:note_id>")
@shapes(tag="Conversations", summary="Delete a private note", access="account",
        description="Deletes the note.", responses={204: "The note is gone."})
@account_scoped
def delete_note(account_id, conversation_id, note_id):
    """Delete a private note."""
    managers().inbox.delete_note(account_id, conversation_id, note_id)
    return "", 204


@bp.get(ONE + "/bot")
@shapes(tag="Conversations", summary="Get the bot's state", access="account", responses={200: BotState},
        description="The booking step and whether the bot keeps quiet here.")
@account_scoped
def get_bot(account_id, conversation_id):
    """The bot's state in the conversation: booking step, paused or not."""
    return managers().bot.bot_state(account_id, conversation_id)


@bp.put(ONE + "/bot")
@shapes(tag="Conversations", summary="Pause or resume the bot", access="account", body=BotPause,
        description="Silences the bot in this conversation, or lets it answer again.",
        responses={200: BotState})
@account_scoped
def put_bot(account_id, conversation_id):
    """Pause the bot here ({"paused": true, "minutes": 120}) or let it answer again."""
    return managers().bot.set_bot_paused(account_id, conversation_id, json_body())


@bp.get("/quick-replies")
@shapes(tag="Conversations", summary="List quick replies", access="account",
        description="The account's saved replies, by shortcut.", responses={200: QuickReplyList})
@account_scoped
def list_quick_replies(account_id):
    """The account's quick replies."""
    return {"items": managers().inbox.quick_replies(account_id)}


@bp.post("/quick-replies")
@shapes(tag="Conversations", summary="Add a quick reply", access="account", body=QuickReplyIn,
        description="Saves a reply the composer offers after /.", responses={201: QuickReply},
        errors=(409,))
@account_scoped
def add_quick_reply(account_id):
    """Save a quick reply."""
    return managers().inbox.add_quick_reply(account_id, json_body()), 201


@bp.patch("/quick-replies/<uuid:reply_id>")
@shapes(tag="Conversations", summary="Change a quick reply", access="account", body=QuickReplyPatch,
        description="Changes the fields sent.", responses={200: QuickReply}, errors=(409,))
@account_scoped
def update_quick_reply(account_id, reply_id):
    """Change a quick reply."""
    return managers().inbox.update_quick_reply(account_id, reply_id, json_body())


@bp.delete("/quick-replies/<uuid:reply_id>")
@shapes(tag="Conversations", summary="Delete a quick reply", access="account",
        description="Deletes the quick reply.", responses={204: "The quick reply is gone."})
@account_scoped
def delete_quick_reply(account_id, reply_id):
    """Delete a quick reply."""
    managers().inbox.delete_quick_reply(account_id, reply_id)
    return "", 204


@bp.get("/search")
@shapes(tag="Conversations", summary="Search messages and contacts", access="account",
        query=SearchQuery, responses={200: SearchResults},
        description="Full-text search in Portuguese, accents aside: the newest matching messages "
                    "and the contacts whose name or phone matches.")
@account_scoped
def search(account_id):
    """Messages and contacts matching ?q=."""
    return managers().inbox.search(account_id, request.args)
