"""SQL text for relations: identifiers quoted by the destination's session, values written as
typed SQL literals of the destination's dialect (DuckDB, or PostgreSQL), never pasted as they are.

Values become literals rather than parameters so that `relation.to_sql()` is the statement that
runs, as in dlt, and raw SQL (a `%` in `LIKE 'a%'`) needs no escaping."""

import math
from datetime import date, datetime, time, timezone
from decimal import Decimal
from enum import Enum
from typing import Any, Callable, Iterable, List, Optional
from uuid import UUID

from dlt.common.exceptions import ValueErrorWithKnownValues

# dlt's TFilterOperation, with the SQL each one is
FILTER_OPERATORS = {"eq": "=", "ne": "<>", "gt": ">", "lt": "<", "gte": ">=", "lte": "<=", "in": "IN", "not_in": "NOT IN"}
JOIN_KINDS = {"inner": "INNER JOIN", "left": "LEFT JOIN", "right": "RIGHT JOIN", "full": "FULL OUTER JOIN"}
SORT_ORDERS = ("asc", "desc")


def dialect_of(destination_type: str) -> str:
    """dlt's sqlglot dialect name for a destination type (lakes are read with DuckDB)."""
    return "postgres" if destination_type == "postgres" else "duckdb"


class Renderer:
    """Writes the pieces of a statement for one open session (SqlClient)."""

    def __init__(self, client: Any) -> None:
        session = client.native_connection
        self.dialect = dialect_of(session.destination_type)
        self._quote: Callable[[str], str] = session.quote_identifier
        self._qualify: Callable[[str], str] = client.make_qualified_table_name
        # the columns a table's `*` stands for (None: all the table has), as the dataset says
        self.star_columns: Callable[[str], Optional[List[str]]] = lambda table_name: None

    def ident(self, name: str) -> str:
        return self._quote(name)

    def table(self, name: str) -> str:
        return self._qualify(name)

    # --- values ---------------------------------------------------------------------------------
    def string(self, text: str) -> str:
        if "\x00" in text:
            raise ValueError("a text value with a NUL character cannot be written as SQL")
        body = text.replace("'", "''")
        if self.dialect == "postgres" and "\\" in text:
            # E'' reads backslashes as escapes whatever standard_conforming_strings says
            return "E'" + body.replace("\\", "\\\\") + "'"
        return "'" + body + "'"

    def _cast(self, text: str, sql_type: str) -> str:
        return f"CAST({self.string(text)} AS {sql_type})"

    def _double(self) -> str:
        return "DOUBLE PRECISION" if self.dialect == "postgres" else "DOUBLE"

    def literal(self, value: Any) -> str:
        """`value` as a SQL literal of its type; TypeError for a type SQL has no literal for."""
        if isinstance(value, Enum):
            value = value.value
        if type(value).__module__ == "numpy" and hasattr(value, "item"):  # numpy scalars
            value = value.item()
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int):
            return str(int(value))
        if isinstance(value, float):
            if math.isfinite(value):
                return repr(value)
            return self._cast("nan" if math.isnan(value) else ("inf" if value > 0 else "-inf"), self._double())
        if isinstance(value, Decimal):
            if value.is_finite():
                return format(value, "f")
            return self._cast("nan" if value.is_nan() else ("inf" if value > 0 else "-inf"), self._double())
        if isinstance(value, str):
            return self.string(value)
        if isinstance(value, datetime):
            # as dlt, a naive datetime is UTC
            aware = value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
            return self._cast(aware.astimezone(timezone.utc).isoformat(), "TIMESTAMP WITH TIME ZONE")
        if isinstance(value, date):
            return self._cast(value.isoformat(), "DATE")
        if isinstance(value, time):
            return self._cast(value.isoformat(), "TIME")
        if isinstance(value, (bytes, bytearray, memoryview)):
            hex_text = self.string(bytes(value).hex())
            return f"decode({hex_text}, 'hex')" if self.dialect == "postgres" else f"from_hex({hex_text})"
        if isinstance(value, UUID):
            return self.string(str(value))
        raise TypeError(f"a value of type `{type(value).__name__}` cannot be used in a filter: {value!r}")

    # --- conditions -----------------------------------------------------------------------------
    def condition(self, column_sql: str, operator: str, value: Any) -> str:
        """`column_sql <operator> value` for one of dlt's filter operations."""
        if operator not in FILTER_OPERATORS:
            raise ValueErrorWithKnownValues(key="operator", value_received=operator,
                                            valid_values=list(FILTER_OPERATORS))
        if operator in ("in", "not_in"):
            values = _as_values(value)
            if not values:  # `IN ()` is no SQL: nothing is in an empty list
                return "1 = 0" if operator == "in" else "1 = 1"
            return f"{column_sql} {FILTER_OPERATORS[operator]} ({', '.join(self.literal(v) for v in values)})"
        if value is None and operator in ("eq", "ne"):
            return f"{column_sql} IS {'NOT ' if operator == 'ne' else ''}NULL"
        return f"{column_sql} {FILTER_OPERATORS[operator]} {self.literal(value)}"


def _as_values(value: Any) -> List[Any]:
    if isinstance(value, (str, bytes, bytearray, dict)) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def check_choice(key: str, value: Any, valid: Iterable[str]) -> None:
    if value not in valid:
        raise ValueErrorWithKnownValues(key=key, value_received=value, valid_values=list(valid))
