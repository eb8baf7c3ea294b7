"""dlt.sources.sql_database: sql_database (a source with one resource per table) and sql_table
(one table as a resource), with dlt 1.26's signatures, read by the engine's SQL database source
(src/extract/sql_database/: PostgreSQL, SQLite, MySQL/MariaDB), the one that runs
`[source] type = "sql_database"` pipeline files.

Tables are reflected when the source is made (as dlt does; defer_table_reflect=True waits for
the run): columns, types, nullability and primary keys come from the database's catalog. At run
time the engine reads typed rows straight into the load job; an incremental cursor becomes a
WHERE on the server. Credentials not given are read from the active profile as
sources.<section>.credentials; they stay in the engine and are never shown.

As dlt injects them, the arguments not passed are read from the configuration (all but the
callbacks, `metadata` and `table_loader_class`; see _config.py): sql_database's from
sources.sql_database (`[sources.sql_database] chunk_size = 1000`), and each table's own from its
section sources.sql_database.<table> (`[sources.sql_database.chat_message.incremental]
cursor_path = "updated_at"`, included_columns, write_disposition, ...), for sql_table all of
them. `sql_database.clone(name=..., section=...)` reads them from another section.
"""

import functools
import inspect
from typing import Any, Callable, Dict, FrozenSet, List, Optional

import dlt
from dlt.extract.source import DltSource
from dlt.sources.sql_database._config import (
    SOURCE_ARGS,
    SQL_TABLE_ARGS,
    TABLE_ARGS,
    table_credentials,
    with_config,
)
from dlt.sources.sql_database.helpers import (  # noqa: F401  (dlt's names)
    BaseTableLoader,
    ReflectionLevel,
    SqlDatabaseSourceError,
    SqlTableNotFound,
    SqlTableResource,
    TableBackend,
    TableLoader,
    TQueryAdapter,
    TTableAdapter,
    TTypeAdapter,
    check_options,
    credentials_url,
    engine_from_credentials,
    get_table_loader_class,
    raise_engine_error,
    register_table_loader_backend,
    remove_nullability_adapter,
)

_SECTION = "sql_database"


def _database(credentials: Any, section: str, schema: Optional[str], table_names: Optional[List[str]],
              chunk_size: int, reflection_level: str, include_views: bool) -> Any:
    from dlt._engine import native

    if not isinstance(chunk_size, int) or isinstance(chunk_size, bool) or chunk_size <= 0:
        raise ValueError(f"sql_database: chunk_size must be a positive int, got {chunk_size!r}")
    return native.SqlDatabase({
        "credentials": credentials_url(credentials),
        "section": section,
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


def _unsupported(a: Dict[str, Any]) -> Dict[str, Any]:
    return {k: a.get(k) for k in ("metadata", "table_adapter_callback", "backend_kwargs", "type_adapter_callback",
                                  "query_adapter_callback", "resolve_foreign_keys", "engine_adapter_callback",
                                  "engine_kwargs", "table_loader_class")}


def _table_hints(a: Dict[str, Any]) -> Dict[str, Any]:
    return {"write_disposition": a.get("write_disposition"), "primary_key": a.get("primary_key"),
            "merge_key": a.get("merge_key"), "incremental": a.get("incremental")}


def _check_incremental(fn: str, incremental: Any) -> None:
    if incremental is not None and not hasattr(incremental, "_native_options"):
        raise TypeError(f"{fn}: `incremental` must be dlt.sources.incremental(...), got "
                        f"{type(incremental).__name__}")


def _make_sql_database(name: str, section: str, args: Dict[str, Any], explicit: FrozenSet[str],
                       max_table_nesting: Optional[int] = None, root_key: Optional[bool] = None,
                       schema_contract: Any = None, parallelized: bool = False) -> DltSource:
    a = with_config(args, explicit, SOURCE_ARGS, section, name)
    level = check_options("sql_database", a["backend"], a["reflection_level"], a["detect_precision_hints"],
                          _unsupported(a))
    table_names = a["table_names"]
    if isinstance(table_names, str):
        table_names = [table_names]
    db = _database(a["credentials"], section, a["schema"], table_names, a["chunk_size"], level, a["include_views"])
    if a["defer_table_reflect"]:
        if not table_names:
            raise ValueError("sql_database: you must pass `table_names` to defer table reflection")
        tables = [{"name": str(t), "table": str(t), "deferred": True} for t in table_names]
    else:
        tables = _reflect(db, table_names)
    resources = []
    for t in tables:
        # As dlt's sql_table called by the source: what the source does not pass (incremental,
        # included/excluded columns, write disposition, keys) from the table's own section.
        ta = with_config({}, frozenset(), TABLE_ARGS, section, t["name"])
        _check_incremental(f"sql_database table `{t['name']}`", ta["incremental"])
        r = SqlTableResource(db, t["name"], t["table"], a["schema"], {}, t, ta["included_columns"],
                             ta["excluded_columns"], arrow_items=a["backend"] == "pyarrow",
                             chunk_size=a["chunk_size"], section=section,
                             nullable=a["table_adapter_callback"] is not remove_nullability_adapter)
        r.apply_hints(**_table_hints(ta))
        resources.append(r)
    source = DltSource(name, section, resources, max_table_nesting, schema_contract, root_key)
    if parallelized:
        source.parallelize()
    return source


def _sql_database_signature(
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
    include_views), or those in `table_names`, one resource each, named after the table.

    The arguments not passed are read from the configuration (sources.sql_database.<arg>), and
    each table's incremental, included_columns, excluded_columns, write_disposition, primary_key
    and merge_key from its section sources.sql_database.<table>."""
    raise AssertionError("the signature of sql_database; sql_database itself is _SqlDatabaseFactory")


class _SqlDatabaseFactory:
    """`sql_database`: called, the source; `clone(name=..., section=...)` (dlt's SourceFactory.clone,
    also `with_args`) the same source under another name (its schema and state key) reading its
    configuration from another section (sources.<section>)."""

    __dlt_source__ = True

    def __init__(self, name: str = _SECTION, section: str = _SECTION, max_table_nesting: Optional[int] = None,
                 root_key: Optional[bool] = None, schema_contract: Any = None,
                 parallelized: Optional[bool] = None) -> None:
        functools.update_wrapper(self, _sql_database_signature)
        self.__name__ = self.__qualname__ = "sql_database"
        self.__signature__ = inspect.signature(_sql_database_signature)
        self.name = name
        self.section = section
        self.max_table_nesting = max_table_nesting
        self.root_key = root_key
        self.schema_contract = schema_contract
        self.parallelized = parallelized

    def __call__(self, *args: Any, **kwargs: Any) -> DltSource:
        from dlt.common.schema.exceptions import InvalidSchemaName, is_valid_schema_name

        if not is_valid_schema_name(self.name):  # it names the source's schema (as in dlt)
            raise InvalidSchemaName(self.name)
        bound = self.__signature__.bind(*args, **kwargs)
        explicit = frozenset(bound.arguments)
        bound.apply_defaults()
        return _make_sql_database(self.name, self.section, dict(bound.arguments), explicit, self.max_table_nesting,
                                  self.root_key, self.schema_contract, bool(self.parallelized))

    def clone(self, *, name: Optional[str] = None, section: Optional[str] = None,
              max_table_nesting: Optional[int] = None, root_key: Optional[bool] = None, schema: Any = None,
              schema_contract: Any = None, spec: Any = None, parallelized: Optional[bool] = None,
              _impl_cls: Any = None) -> "_SqlDatabaseFactory":
        for arg, value in (("spec", spec), ("_impl_cls", _impl_cls)):
            if value is not None:
                raise NotImplementedError(f"sql_database.clone: `{arg}` is not supported by dlt-cpp (its arguments "
                                          "are read from the configuration as dlt's default spec reads them)")
        if schema is not None and name is not None and name != schema.name:
            from dlt.extract.exceptions import ExplicitSourceNameInvalid

            raise ExplicitSourceNameInvalid(name, schema.name)
        new_name = name if name is not None else (schema.name if schema is not None else self.name)
        return _SqlDatabaseFactory(
            new_name, section if section is not None else self.section,
            max_table_nesting if max_table_nesting is not None else self.max_table_nesting,
            root_key if root_key is not None else self.root_key,
            schema_contract if schema_contract is not None else self.schema_contract,
            parallelized if parallelized is not None else self.parallelized)

    with_args = clone

    def __repr__(self) -> str:
        return f"<sql_database source factory `{self.name}` (section `{self.section}`)>"


sql_database = _SqlDatabaseFactory()


def _make_sql_table(a: Dict[str, Any], explicit: FrozenSet[str], section: str = _SECTION) -> SqlTableResource:
    # The table names the section of its own arguments: read first (sources.sql_database.table).
    a = with_config(a, explicit, {"table": SQL_TABLE_ARGS["table"]}, section, section)
    table = a["table"]
    if not table:
        raise ValueError("sql_table: `table` is required (the name of the table or view to load), as an argument "
                         f"or as sources.{section}.table")
    table = str(table)
    a = with_config(a, explicit, SQL_TABLE_ARGS, section, table)
    if "credentials" not in explicit:
        a["credentials"] = table_credentials(section, table)  # sources.<section>.<table>.credentials
    level = check_options("sql_table", a["backend"], a["reflection_level"], a["detect_precision_hints"],
                          _unsupported(a))
    _check_incremental("sql_table", a["incremental"])
    db = _database(a["credentials"], section, a["schema"], [table], a["chunk_size"], level, False)
    if a["defer_table_reflect"]:
        reflected = {"name": table, "table": table, "deferred": True}
    else:
        reflected = _reflect(db, [table])[0]
    hints = _table_hints(a)
    hints["write_disposition"] = hints["write_disposition"] or "append"
    r = SqlTableResource(db, reflected["name"], reflected["table"], a["schema"], {}, reflected,
                         a["included_columns"], a["excluded_columns"], arrow_items=a["backend"] == "pyarrow",
                         chunk_size=a["chunk_size"], section=section,
                         nullable=a["table_adapter_callback"] is not remove_nullability_adapter)
    r.apply_hints(**hints)
    return r


def _binds(make: Callable[[Dict[str, Any], FrozenSet[str]], Any]) -> Callable[[Callable], Callable]:
    """Gives the decorated signature `make(arguments with defaults, names passed)`: what was not
    passed may then come from the configuration, as dlt injects it."""

    def deco(template: Callable) -> Callable:
        sig = inspect.signature(template)

        @functools.wraps(template)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            bound = sig.bind(*args, **kwargs)
            explicit = frozenset(bound.arguments)
            bound.apply_defaults()
            return make(dict(bound.arguments), explicit)

        return wrapper

    return deco


@_binds(_make_sql_table)
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
    server only for rows past the cursor's last value. The arguments not passed are read from the
    configuration: sources.sql_database.<table>.<arg>, then sources.sql_database.<arg>."""
    raise AssertionError("replaced by _binds")


__all__ = ["sql_database", "sql_table", "ReflectionLevel", "TableBackend", "SqlDatabaseSourceError",
           "SqlTableNotFound", "SqlTableResource", "BaseTableLoader", "TableLoader", "register_table_loader_backend",
           "get_table_loader_class", "remove_nullability_adapter", "engine_from_credentials", "TTypeAdapter",
           "TQueryAdapter", "TTableAdapter"]
