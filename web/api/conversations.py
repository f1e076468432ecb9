"""An account's conversations and their message history."""
from flask import Blueprint, request

from web.auth import account_scoped
from web.jsonio import json_body
from web.managers import managers
from web.openapi.declare import shapes
from zapfleet.appointments.shapes import BotPause, BotState
from zapfleet.messaging.shapes import ConversationPage, MessagePage, PageQuery

bp = Blueprint("conversations", __name__,
               url_prefix="/api/accounts/<uuid:account_id>/conversations")


@bp.get("")
@shapes(tag="Conversations", summary="List conversations", access="account", query=PageQuery,
        description="A page of conversations, most recent activity first.",
        responses={200: ConversationPage})
@account_scoped
def list_conversations(account_id):
    """A page of conversations, most recent first."""
    return managers().conversations.list_conversations(account_id, request.args.get("limit"),
                                         request.args.get("cursor"))


@bp.get("/<uuid:conversation_id>/messages")
@shapes(tag="Conversations", summary="List a conversation's messages", access="account",
        query=PageQuery, description="A page of one conversation's messages, oldest first.",
        responses={200: MessagePage})
@account_scoped
def list_messages(account_id, conversation_id):
    """A page of one conversation's messages, oldest first."""
    return managers().conversations.list_messages(account_id, conversation_id, request.args.get("limit"),
                                    request.args.get("cursor"))


@bp.get("/<uuid:conversation_id>/bot")
@shapes(tag="Conversations", summary="Get the bot's state", access="account", responses={200: BotState},
        description="The booking step and whether the bot keeps quiet here.")
@account_scoped
def get_bot(account_id, conversation_id):
    """The bot's state in the conversation: booking step, paused or not."""
    return managers().bot.bot_state(account_id, conversation_id)


@bp.put("/<uuid:conversation_id>/bot")
@shapes(tag="Conversations", summary="Pause or resume the bot", access="account", body=BotPause,
        description="Silences the bot in this conversation, or lets it answer again.",
        responses={200: BotState})
@account_scoped
def put_bot(account_id, conversation_id):
    """Pause the bot here ({"paused": true, "minutes": 120}) or let it answer again."""
    return managers().bot.set_bot_paused(account_id, conversation_id, json_body())
