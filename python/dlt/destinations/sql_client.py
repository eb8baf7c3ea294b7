"""pipeline.sql_client(): SQL on the pipeline's dataset, as dlt's SqlClient (a context manager
with execute_sql and execute_query cursors). `%s` placeholders take the arguments in order."""

import base64
import json
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Iterator, List, Optional, Sequence, Tuple

from dlt.destinations.exceptions import (  # noqa: F401 (dlt's classes, importable from here too)
    DatabaseException,
    DatabaseTerminalException,
    DatabaseTransientException,
    DatabaseUndefinedRelation,
)


def _datetime(text: str) -> Any:
    if text in ("infinity", "-infinity"):
        return text
    main, dot, rest = text.partition(".")
    if dot:  # nanoseconds: Python keeps microseconds
        n = 0
        while n < len(rest) and rest[n].isdigit():
            n += 1
        digits, tail = rest[:n], rest[n:]  # the fraction's digits, then the zone (+00, +05:30)
        text = f"{main}.{digits[:6]}{tail}"
    return datetime.fromisoformat(text)


def _time(text: str) -> time:
    return time.fromisoformat(text)


_CONVERT = {
    "bigint": int,
    "double": float,
    "bool": lambda t: t == "true",
    "decimal": Decimal,
    "timestamp": _datetime,
    "date": date.fromisoformat,
    "time": _time,
    "binary": bytes.fromhex,
}


def convert_rows(columns: Sequence[Tuple[str, str]], rows: List[List[Optional[str]]]) -> List[Tuple[Any, ...]]:
    convs = [_CONVERT.get(t) for _, t in columns]
    out = []
    for row in rows:
        out.append(tuple(v if v is None or c is None else c(v) for v, c in zip(row, convs)))
    return out


def param_text(v: Any) -> Optional[str]:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (datetime, date, time)):
        return v.isoformat()
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode("latin-1")
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    return str(v)


def _db_error(e: Exception) -> DatabaseException:
    msg = str(e)
    if "does not exist" in msg or "Catalog Error" in msg:
        return DatabaseUndefinedRelation(e)
    return DatabaseTerminalException(e)


class Cursor:
    """The result of execute_query: DB-API style fetches over rows already read."""

    def __init__(self, columns: Sequence[Tuple[str, str]], rows: List[Tuple[Any, ...]]) -> None:
        self._columns = list(columns)
        self._rows = rows
        self._pos = 0
        self.description = [(name, dtype, None, None, None, None, None) for name, dtype in self._columns]
        self.rowcount = len(rows)

    @property
    def columns(self) -> List[str]:
        return [c for c, _ in self._columns]

    def fetchall(self) -> List[Tuple[Any, ...]]:
        rows = self._rows[self._pos:]
        self._pos = len(self._rows)
        return rows

    def fetchmany(self, size: int = 1) -> List[Tuple[Any, ...]]:
        rows = self._rows[self._pos:self._pos + size]
        self._pos += len(rows)
        return rows

    def fetchone(self) -> Optional[Tuple[Any, ...]]:
        if self._pos >= len(self._rows):
            return None
        row = self._rows[self._pos]
        self._pos += 1
        return row

    def iter_fetch(self, chunk_size: int) -> Iterator[List[Tuple[Any, ...]]]:
        while True:
            rows = self.fetchmany(chunk_size)
            if not rows:
                return
            yield rows

    def df(self, chunk_size: Optional[int] = None, **kwargs: Any) -> Any:
        try:
            import pandas
        except ImportError:
            from dlt.common.exceptions import MissingDependencyException

            raise MissingDependencyException("cursor.df()", ["pandas"]) from None
        return pandas.DataFrame.from_records(self.fetchall(), columns=self.columns)

    def close(self) -> None:
        pass

    def __enter__(self) -> "Cursor":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __iter__(self) -> Iterator[Tuple[Any, ...]]:
        return iter(self.fetchall())


class SqlClient:
    def __init__(self, pipeline: Any, read_only: bool = False) -> None:
        self._pipeline = pipeline
        # A filesystem destination (a lake) is read through a read-only DuckDB copy of its tables.
        dest = getattr(pipeline, "destination", None)
        self._read_only = read_only or getattr(dest, "destination_type", None) == "filesystem"
        self._session: Any = None
        self._catalog_prefix = ""

    # --- connection -----------------------------------------------------------------------
    def open_connection(self) -> "SqlClient":
        if self._session is None:
            from dlt import _engine

            try:
                self._session = self._pipeline._require_native().open_sql(self._read_only)
            except _engine.native.EngineError as e:
                from dlt.destinations.exceptions import DestinationConnectionError

                raise DestinationConnectionError(self._pipeline.destination.destination_type,
                                                 self._pipeline.dataset_name, str(e), e) from None
            if self._session.destination_type in ("duckdb", "motherduck"):
                # As dlt's DuckDB client, names carry the catalog: a dataset named like the
                # database file (shop.duckdb, dataset `shop`) is not ambiguous then.
                _, rows = self._session.query("SELECT current_database()", [])
                if rows and rows[0][0]:
                    self._catalog_prefix = self._session.quote_identifier(rows[0][0]) + "."
        return self

    def close_connection(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    @property
    def native_connection(self) -> Any:
        return self._session

    def __enter__(self) -> "SqlClient":
        return self.open_connection()

    def __exit__(self, *exc: Any) -> None:
        self.close_connection()

    # --- what users call ---------------------------------------------------------------------
    @property
    def dataset_name(self) -> str:
        self.open_connection()
        return self._session.dataset_name

    def make_qualified_table_name(self, table_name: str, escape: bool = True) -> str:
        self.open_connection()
        q = self._session.quote_identifier
        if not escape:
            return f"{self.dataset_name}.{table_name}"
        return f"{self._catalog_prefix}{q(self.dataset_name)}.{q(table_name)}"

    def escape_column_name(self, column_name: str, escape: bool = True) -> str:
        self.open_connection()
        return self._session.quote_identifier(column_name) if escape else column_name

    def has_dataset(self) -> bool:
        self.open_connection()
        return bool(self._session.dataset_exists())

    def execute_sql(self, sql: str, *args: Any, **kwargs: Any) -> Optional[Sequence[Sequence[Any]]]:
        """Runs a statement; returns its rows when it has any, else None."""
        with self.execute_query(sql, *args, **kwargs) as cursor:
            if not cursor.description:
                return None
            return cursor.fetchall()

    def execute_query(self, query: str, *args: Any, **kwargs: Any) -> Cursor:
        if kwargs:
            raise NotImplementedError("named query parameters are not supported by dlt-cpp; use %s placeholders")
        self.open_connection()
        from dlt import _engine

        params = [param_text(a) for a in args]
        try:
            columns, rows = self._session.query(query, params)
        except _engine.native.EngineError as e:
            raise _db_error(e) from None
        return Cursor(columns, convert_rows(columns, rows))

    def execute_many(self, statements: Sequence[str], *args: Any, **kwargs: Any) -> Optional[Sequence[Sequence[Any]]]:
        result = None
        for s in statements:
            result = self.execute_sql(s, *args, **kwargs)
        return result
