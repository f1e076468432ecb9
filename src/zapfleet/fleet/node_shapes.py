"""The shapes of the fleet's nodes: what the platform admin changes, and what the API shows."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from zapfleet.core.shapes import Choice, Patch, Rules, Shape, Uuid, WholeNumber, checked, strict_flag
from zapfleet.fleet.shapes import Instance

MAX_CAPACITY = 10_000
MAX_PRIORITY = 1_000



CAPACITY = WholeNumber(0, MAX_CAPACITY, "How many WhatsApp instances it may run.")
PRIORITY = WholeNumber(-MAX_PRIORITY, MAX_PRIORITY, "Higher goes first while it has room.")
ACTIVE = Rules(Field(description="False: it keeps its instances but gets no new one."),
               checked(strict_flag))
DRAIN = Rules(Field(description="True: its instances move to other nodes, one at a time, and it "
                                "gets no new one (for an upgrade)."), checked(strict_flag))


class NodePatch(Patch):
    """The fields to change."""

    active: Annotated[bool | None, ACTIVE] = None
    capacity: Annotated[int | None, CAPACITY] = None
    priority: Annotated[int | None, PRIORITY] = None
    drain: Annotated[bool | None, DRAIN] = None


class PinIn(Shape):
    """Where an instance must run."""

    node_id: Uuid | None = Field(description="The node it must stay on; null to unpin it (it "
                                             "stays where it is, and may move again).")


class Node(Shape):
    """A worker machine with its usage and health."""

    id: Uuid
    name: str = Field(description="NODE_NAME, unique.")
    address: str = Field(description="Where the web app and the dispatcher reach its workers.")
    port_base: int = Field(description="The first port of its workers.")
    capacity: int = Field(ge=0, description="How many WhatsApp instances it may run.")
    priority: int = Field(description="Higher goes first while it has room.")
    active: bool = Field(description="False: it keeps its instances but gets no new one.")
    drain: bool = Field(description="True: its instances are moving away.")
    healthy: bool = Field(description="Its last heartbeat is within NODE_HEARTBEAT_LIMIT.")
    heartbeat_at: datetime | None = Field(description="Its agent's last heartbeat.")
    started_at: datetime | None = Field(description="When its agent last started.")
    instances: int = Field(ge=0, description="The WhatsApp instances placed on it.")
    running: int = Field(ge=0, description="Of those, the ones meant to run.")
    connected: int = Field(ge=0, description="Of those, the ones linked to a phone now.")
    pinned: int = Field(ge=0, description="Of those, the ones pinned to it.")
    available: int = Field(ge=0, description="Places left (capacity minus instances, at least 0).")
    usage_percent: int = Field(ge=0, description="Instances as a percentage of the capacity.")


class NodeTotals(Shape):
    """The figures of every node together."""

    nodes: int = Field(ge=0, description="Nodes in the table.")
    active: int = Field(ge=0, description="Of those, the active ones.")
    healthy: int = Field(ge=0, description="Of those, the ones beating.")
    capacity: int = Field(ge=0, description="The active, healthy nodes' capacities, added up.")
    available: int = Field(ge=0, description="Places left on the active, healthy nodes.")
    instances: int = Field(ge=0, description="Instances on the nodes.")
    connected: int = Field(ge=0, description="Of those, the ones linked now.")


class NodeList(Shape):
    """Every node, highest priority first, with the totals."""

    items: list[Node]
    totals: NodeTotals


PLACEMENT_EVENTS = ("placed", "moved", "unplaced")


class PlacedInstance(Instance):
    """An instance with where it runs."""

    node_id: Uuid | None = Field(description="The node it runs on; null before its first placement.")
    node_name: str | None = Field(description="That node's name.")
    pinned: bool = Field(description="True: it stays on its node (no failover or drain moves it).")
    moving_to: Uuid | None = Field(description="The node it is being handed over to (a pin "
                                               "elsewhere); null when it stays.")


class PlacementEvent(Shape):
    """One change of where an instance runs."""

    event: Annotated[str, Choice(PLACEMENT_EVENTS, "placed (first time), moved or unplaced.")]
    from_node: str | None = Field(description="The node it left; null for a first placement.")
    to_node: str | None = Field(description="The node it went to.")
    reason: str = Field(description="Why, readable (e.g. \"node n1 stopped answering\").")
    at: datetime


class PlacementHistory(Shape):
    """An instance's placements and moves, newest first (at most 50)."""

    items: list[PlacementEvent]
