"""dlt.sources.sql_database: sql_database (a source with one resource per table) and sql_table
(one table as a resource), with dlt 1.26's signatures, read by the engine's SQL database source
(src/extract/sql_database/: PostgreSQL, SQLite, MySQL/MariaDB), the one that runs
`[source] type = "sql_database"` pipeline files.

Tables are reflected when the source is made (as dlt does; defer_table_reflect=True waits for
the run): columns, types, nullability and primary keys come from the database's catalog. At run
time the engine reads typed rows straight into the load job; an incremental cursor becomes a
WHERE on the server. Credentials not given are read from the active profile as
sources.sql_database.credentials; they stay in the engine and are never shown.
"""

from typing import Any, Callable, Dict, List, Optional

import dlt
from dlt.common.configuration.accessors import is_sentinel
from dlt.extract.source import DltSource
from dlt.sources.sql_database.helpers import (  # noqa: F401  (dlt's names)
    ReflectionLevel,
    SqlDatabaseSourceError,
    SqlTableNotFound,
    SqlTableResource,
    TableBackend,
    check_options,
    credentials_url,
    raise_engine_error,
)

_SECTION = "sql_database"


def _config(value: Any, key: str) -> Any:
    """A dlt.config.value argument: sources.sql_database.<key> from the active profile, else None."""
    if not is_sentinel(value):
        return value
    return dlt.config.get(f"sources.{_SECTION}.{key}")


def _database(credentials: Any, schema: Optional[str], table_names: Optional[List[str]], chunk_size: int,
              reflection_level: str, include_views: bool) -> Any:
    from dlt._engine import native

    if not isinstance(chunk_size, int) or isinstance(chunk_size, bool) or chunk_size <= 0:
        raise ValueError(f"sql_database: chunk_size must be a positive int, got {chunk_size!r}")
    return native.SqlDatabase({
        "credentials": credentials_url(credentials),
        "section": _SECTION,
        "schema": schema,
        "table_names": [str(t) for t in table_names or []],
        "chunk_size": chunk_size,
        "reflection_level": reflection_level,
        "include_views": bool(include_views),
    })


def _reflect(db: Any, table_names: Optional[List[str]]) -> List[Dict[str, Any]]:
    """Connects and reads the catalog: [{name, table, primary_key}] per table."""
    from dlt import _engine

    r = db.reflect(_engine.workspace())
    if not r["ok"]:
        raise_engine_error(r["message"], r["code"], [str(t) for t in table_names or []])
    return list(r["tables"])


def sql_database(
    credentials: Any = dlt.secrets.value,
    schema: Optional[str] = dlt.config.value,
    metadata: Any = None,
    table_names: Optional[List[str]] = dlt.config.value,
    chunk_size: int = 50000,
    backend: TableBackend = "sqlalchemy",
    detect_precision_hints: Optional[bool] = False,
    reflection_level: Optional[ReflectionLevel] = "full",
    defer_table_reflect: Optional[bool] = None,
    table_adapter_callback: Optional[Callable] = None,
    backend_kwargs: Optional[Dict[str, Any]] = None,
    include_views: bool = False,
    type_adapter_callback: Optional[Callable] = None,
    query_adapter_callback: Optional[Callable] = None,
    resolve_foreign_keys: bool = False,
    engine_adapter_callback: Optional[Callable] = None,
    engine_kwargs: Optional[Dict[str, Any]] = None,
    table_loader_class: Any = None,
) -> DltSource:
    """The tables of a database as a source: every table of `schema` (views too with
    include_views), or those in `table_names`, one resource each, named after the table."""
    level = check_options("sql_database", backend, reflection_level, detect_precision_hints, {
        "metadata": metadata, "table_adapter_callback": table_adapter_callback, "backend_kwargs": backend_kwargs,
        "type_adapter_callback": type_adapter_callback, "query_adapter_callback": query_adapter_callback,
        "resolve_foreign_keys": resolve_foreign_keys, "engine_adapter_callback": engine_adapter_callback,
        "engine_kwargs": engine_kwargs, "table_loader_class": table_loader_class})
    schema = _config(schema, "schema")
    table_names = _config(table_names, "table_names")
    if isinstance(table_names, str):
        table_names = [table_names]
    db = _database(credentials, schema, table_names, chunk_size, level, include_views)
    if defer_table_reflect:
        if not table_names:
            raise ValueError("sql_database: you must pass `table_names` to defer table reflection")
        tables = [{"name": str(t), "table": str(t), "deferred": True} for t in table_names]
    else:
        tables = _reflect(db, table_names)
    resources = [SqlTableResource(db, t["name"], t["table"], schema, {}, t, arrow_items=backend == "pyarrow",
                                  chunk_size=chunk_size)
                 for t in tables]
    return DltSource(_SECTION, _SECTION, resources)


def sql_table(
    credentials: Any = dlt.secrets.value,
    table: str = dlt.config.value,
    schema: Optional[str] = dlt.config.value,
    metadata: Any = None,
    incremental: Any = None,
    chunk_size: int = 50000,
    backend: TableBackend = "sqlalchemy",
    detect_precision_hints: Optional[bool] = None,
    reflection_level: Optional[ReflectionLevel] = "full",
    defer_table_reflect: Optional[bool] = None,
    table_adapter_callback: Optional[Callable] = None,
    backend_kwargs: Optional[Dict[str, Any]] = None,
    type_adapter_callback: Optional[Callable] = None,
    included_columns: Optional[List[str]] = None,
    excluded_columns: Optional[List[str]] = None,
    query_adapter_callback: Optional[Callable] = None,
    resolve_foreign_keys: bool = False,
    engine_adapter_callback: Optional[Callable] = None,
    write_disposition: Any = "append",
    primary_key: Any = None,
    merge_key: Any = None,
    engine_kwargs: Optional[Dict[str, Any]] = None,
    table_loader_class: Any = None,
) -> SqlTableResource:
    """One table (or view) as a resource named after it. With `incremental`, the query asks the
    server only for rows past the cursor's last value."""
    level = check_options("sql_table", backend, reflection_level, detect_precision_hints, {
        "metadata": metadata, "table_adapter_callback": table_adapter_callback, "backend_kwargs": backend_kwargs,
        "type_adapter_callback": type_adapter_callback, "query_adapter_callback": query_adapter_callback,
        "resolve_foreign_keys": resolve_foreign_keys, "engine_adapter_callback": engine_adapter_callback,
        "engine_kwargs": engine_kwargs, "table_loader_class": table_loader_class})
    table = _config(table, "table")
    if not table:
        raise ValueError("sql_table: `table` is required (the name of the table or view to load), as an argument "
                         "or as sources.sql_database.table")
    schema = _config(schema, "schema")
    if incremental is not None and not hasattr(incremental, "_native_options"):
        raise TypeError("sql_table: `incremental` must be dlt.sources.incremental(...), got "
                        f"{type(incremental).__name__}")
    db = _database(credentials, schema, [table], chunk_size, level, False)
    if defer_table_reflect:
        reflected = {"name": str(table), "table": str(table), "deferred": True}
    else:
        reflected = _reflect(db, [table])[0]
    hints = {"write_disposition": write_disposition or "append", "primary_key": primary_key,
             "merge_key": merge_key, "incremental": incremental}
    return SqlTableResource(db, reflected["name"], reflected["table"], schema, hints, reflected,
                            included_columns, excluded_columns, arrow_items=backend == "pyarrow", chunk_size=chunk_size)


__all__ = ["sql_database", "sql_table", "ReflectionLevel", "TableBackend", "SqlDatabaseSourceError",
           "SqlTableNotFound", "SqlTableResource"]
