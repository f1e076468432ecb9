"""The fixed lists in zapfleet.core.vocabulary match the CHECK constraints of the migrations."""
import re

import pytest

from zapfleet.core import vocabulary as v

CHECKED = [
    ("accounts", "plan", v.ACCOUNT_PLANS),
    ("accounts", "status", v.ACCOUNT_STATUSES),
    ("users", "role", v.USER_ROLES),
    ("users", "account_role", v.ACCOUNT_ROLES),
    ("invitations", "role", v.ACCOUNT_ROLES),
    ("instances", "status", v.INSTANCE_STATUSES),
    ("instances", "desired_state", v.DESIRED_STATES),
    ("messages", "direction", v.MESSAGE_DIRECTIONS),
    ("messages", "status", v.MESSAGE_STATUSES),
    ("messages", "origin", v.MESSAGE_ORIGINS),
    ("messages", "type", v.MESSAGE_TYPES),
    ("media", "kind", v.MEDIA_KINDS),
    ("webhook_deliveries", "status", v.DELIVERY_STATUSES),
    ("campaigns", "status", v.CAMPAIGN_STATUSES),
    ("appointments", "status", v.APPOINTMENT_STATUSES),
    ("appointments", "source", v.APPOINTMENT_SOURCES),
    ("chat_states", "step", v.BOT_STEPS),
]


def allowed_values(conn, table: str, column: str) -> set[str]:
    """The values a CHECK constraint on table.column lists (column IN (...) or = ANY (ARRAY[...]))."""
    with conn.cursor() as cur:
        cur.execute("SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint"
                    " WHERE conrelid = %s::regclass AND contype = 'c'", (table,))
        definitions = [row["definition"] for row in cur.fetchall()]
    [definition] = [d for d in definitions if re.search(rf"\(\(?{column}\b", d)
                    and ("ANY" in d or " IN " in d)]
    return set(re.findall(r"'([^']+)'", definition))


@pytest.mark.parametrize(("table", "column", "values"), CHECKED, ids=lambda x: str(x)[:20])
def test_the_vocabulary_matches_the_database(database, table, column, values):
    with database.system() as conn:
        assert allowed_values(conn, table, column) == set(values)
