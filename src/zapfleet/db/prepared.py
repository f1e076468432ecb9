"""Server-side prepared statements for the hot paths: planned once per connection, then run
by name (planning a statement can cost more than running it)."""
from __future__ import annotations

import re
from collections.abc import Sequence

_PARAMETER = re.compile(r"\$(\d+)")


class Prepared:
    """One statement with $1..$n parameters of the given types, prepared on first use (or sent
    in full, on a connection that does not prepare)."""

    def __init__(self, name: str, types: Sequence[str], body: str):
        self.name = name
        arguments = ", ".join(["%s"] * len(types))
        self._run = f"EXECUTE {name} ({arguments})"
        literal = body.replace("%", "%%")  # % is literal in the body
        # PREPARE shares the round trip of the first EXECUTE
        self._prepare_and_run = f"PREPARE {name} ({', '.join(types)}) AS {literal}; {self._run}"
        self._direct = _PARAMETER.sub(lambda m: f"(%(p{m[1]})s::{types[int(m[1]) - 1]})", literal)

    def execute(self, cur, params: Sequence) -> None:
        """Run the statement on the cursor's connection, preparing it there first if needed."""
        connection = cur.connection
        if not connection.prepares:
            cur.execute(self._direct, {f"p{n}": value for n, value in enumerate(params, 1)})
        elif self.name in connection.prepared:
            cur.execute(self._run, params)
        else:
            cur.execute(self._prepare_and_run, params)
            connection.prepared.add(self.name)
