"""Streaming CSV reading and writing for contacts."""
from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterable, Iterator

from zapfleet.core import validation
from zapfleet.core.errors import InvalidInput

HEADER_ALIASES = {
    "phone": "phone", "telefone": "phone", "celular": "phone", "whatsapp": "phone", "numero": "phone",
    "número": "phone", "name": "name", "nome": "name", "tags": "tags", "etiquetas": "tags",
    "opted_out": "opted_out", "optout": "opted_out", "descadastrado": "opted_out",
}
EXPORT_COLUMNS = ("phone", "name", "tags", "opted_out")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_REPORTED_ERRORS = 1000
TRUE_WORDS = {"1", "true", "yes", "y", "sim", "s", "x"}
FALSE_WORDS = {"", "0", "false", "no", "n", "nao", "não"}

Row = tuple[str, str, list[str], bool]
TAG_SEPARATORS = (",", "|", ";")
"""Tags are written separated by commas (the contact form's way); | and ; are read too."""


def split_tags(text: str) -> list[str]:
    """The tags written in one cell or field: "vip, manicure" (commas; | or ; work as well)."""
    for separator in TAG_SEPARATORS[1:]:
        text = text.replace(separator, TAG_SEPARATORS[0])
    return [tag.strip() for tag in text.split(TAG_SEPARATORS[0]) if tag.strip()]


def import_rows(lines: Iterable[str], region: str, report: dict, batch_size: int) -> Iterator[list[Row]]:
    """Yield batches of valid rows; record invalid ones in report["errors"] by line number."""
    remaining = iter(lines)
    header = next(remaining, "")
    reader = csv.reader(itertools.chain([header], remaining), delimiter=_delimiter(header))
    columns = _columns(next(reader, []))
    batch: dict[str, Row] = {}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        try:
            parsed = _parse(columns, row, region)
            earlier = batch.get(parsed[0])
            if earlier is not None:  # a phone repeated in the file: one contact, its rows merged
                parsed = _merged(earlier, parsed)
        except InvalidInput as exc:
            _record_error(report, reader.line_num, exc)
            continue
        report["updated"] += earlier is not None
        batch[parsed[0]] = parsed
        if len(batch) >= batch_size:
            yield list(batch.values())
            batch = {}
    if batch:
        yield list(batch.values())


def _merged(first: Row, then: Row) -> Row:
    """Two rows of one phone as one: every tag of both, the later non-empty name and opt-out."""
    tags = first[2] + [tag for tag in then[2] if tag not in first[2]]
    return first[0], then[1] or first[1], validation.tags(tags), then[3]


def export_rows(fetch_page: Callable[[str | None], dict]) -> Iterator[str]:
    """CSV lines (header first) for every contact, fetching page by page."""
    yield _csv_line(EXPORT_COLUMNS)
    cursor = None
    while True:
        page = fetch_page(cursor)
        for c in page["items"]:
            yield _csv_line((c["phone"], spreadsheet_safe(c["name"]), ",".join(c["tags"]),
                             str(c["opted_out"]).lower()))
        cursor = page["next_cursor"]
        if cursor is None:
            return


def spreadsheet_safe(cell: str) -> str:
    """The cell with a leading ' when a spreadsheet would read it as a formula (=, +, -, @, tab,
    CR first), as OWASP advises against CSV injection; names come from WhatsApp profiles too."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _unescaped(cell: str) -> str:
    """A cell as it was before spreadsheet_safe, so an exported file imports back unchanged."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def _delimiter(header: str) -> str:
    # Spreadsheets set to Brazilian Portuguese save CSV with semicolons.
    return ";" if header.count(";") > header.count(",") else ","


def _columns(header: list[str]) -> list[str | None]:
    columns = [HEADER_ALIASES.get(cell.strip().lower().lstrip("\ufeff")) for cell in header]
    if "phone" not in columns:
        raise InvalidInput("file", "line 1 must be a header with a phone column (phone or telefone)")
    return columns


def _parse(columns: list[str | None], row: list[str], region: str) -> Row:
    values = {name: cell.strip() for name, cell in zip(columns, row) if name}
    phone = validation.phone(values.get("phone", ""), region)
    name = _unescaped(values.get("name", ""))[:200]
    tags = validation.tags(split_tags(values.get("tags", "")))
    return phone, name, tags, _flag(values.get("opted_out", ""))


def _flag(value: str) -> bool:
    lowered = value.lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise InvalidInput("opted_out", "%(value)s is not yes/no", value=repr(value))


def _record_error(report: dict, line: int, exc: InvalidInput) -> None:
    report["error_count"] += 1
    if len(report["errors"]) < MAX_REPORTED_ERRORS:
        report["errors"].append({"line": line, "error": exc.message, "field": exc.field,
                                 "message_id": exc.template, "params": exc.params})


def _csv_line(values: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()
