"""Server-side prepared statements for the hot paths: planned once per connection, then run
by name (planning a statement can cost more than running it)."""
from __future__ import annotations

from typing import Sequence


class Prepared:
    """One statement with $1..$n parameters of the given types, prepared on first use."""

    def __init__(self, name: str, types: Sequence[str], body: str):
        self.name = name
        arguments = ", ".join(["%s"] * len(types))
        self._run = f"EXECUTE {name} ({arguments})"
        # PREPARE shares the round trip of the first EXECUTE; % is literal in the body
        self._prepare_and_run = (f"PREPARE {name} ({', '.join(types)}) AS "
                                 + body.replace("%", "%%") + "; " + self._run)

    def execute(self, cur, params: Sequence) -> None:
        """Run the statement on the cursor's connection, preparing it there first if needed."""
        prepared = cur.connection.prepared
        if self.name in prepared:
            cur.execute(self._run, params)
            return
        cur.execute(self._prepare_and_run, params)
        prepared.add(self.name)
