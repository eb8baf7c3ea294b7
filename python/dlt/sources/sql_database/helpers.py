"""The parts of dlt.sources.sql_database that are not the two entry points: how credentials
reach the engine, which of dlt's options the engine honours, the errors, and the resource class
whose rows the engine reads (they never pass through Python).

The engine (src/extract/sql_database/) connects with libpq, libsqlite3 or libmariadb: there is no
SQLAlchemy here, so options that hand SQLAlchemy objects to user code (metadata, engines,
adapters, callbacks, table loaders) cannot be honoured and raise NotImplementedError naming the
option. dlt's remove_nullability_adapter is the exception: the engine makes the columns nullable
itself. dlt's loader classes (TableLoader, BaseTableLoader) can be imported and subclassed, and
raise when used.
"""

from typing import Any, Callable, Dict, List, Literal, Optional

from dlt.common.configuration.accessors import is_sentinel
from dlt.common.configuration.specs import ConnectionStringCredentials
from dlt.extract.exceptions import DltSourceException
from dlt.extract.resource import DltResource

TableBackend = Literal["sqlalchemy", "pyarrow", "pandas", "connectorx"]
ReflectionLevel = Literal["minimal", "full", "full_with_precision"]
REFLECTION_LEVELS = ("minimal", "full", "full_with_precision")
# Both read typed rows the same native way: dlt's sqlalchemy and pyarrow backends load the same
# rows and types (pyarrow's batches are only a transport).
NATIVE_BACKENDS = ("sqlalchemy", "pyarrow")


class SqlDatabaseSourceError(DltSourceException):
    """The database could not be read: unreachable, refused the login, or a bad option. The
    message names host, user, database and table, never the password."""

    def __init__(self, msg: str, code: int = 0) -> None:
        self.code = code
        super().__init__(msg)


class SqlTableNotFound(SqlDatabaseSourceError):
    """A table (or view) named in table_names / sql_table(table=...) is not in the schema."""


_NOT_FOUND = 2  # dlt::StatusCode::kNotFound


def raise_engine_error(message: str, code: int, tables: Optional[List[str]] = None) -> None:
    """The engine's error (already free of secrets) as dlt's exception: SqlTableNotFound when it
    names a missing table of `tables` (a missing SQLite file is not a missing table)."""
    missing_table = code == _NOT_FOUND and "table" in message and any(f"{t}" in message for t in tables or [])
    raise (SqlTableNotFound if missing_table else SqlDatabaseSourceError)(message, code)


def credentials_url(credentials: Any) -> Optional[str]:
    """The connection URL the engine connects with; None when the engine should read
    sources.sql_database.credentials from the active profile (dlt.secrets.value or None)."""
    if credentials is None or is_sentinel(credentials):
        return None
    if isinstance(credentials, str):
        if "://" not in credentials:
            raise ValueError("sql_database: `credentials` must be a connection URL such as "
                             "postgresql://user:password@host:5432/db or sqlite:///path/to.db "
                             "(the value given has no `://`; it is not shown as it may hold a password)")
        return credentials
    if isinstance(credentials, dict):
        return ConnectionStringCredentials(credentials).to_url()
    if hasattr(credentials, "to_native_representation"):
        return str(credentials.to_native_representation())
    if type(credentials).__name__ in ("Engine", "Connection"):
        raise NotImplementedError("sql_database: a SQLAlchemy Engine as `credentials` is not supported by dlt-cpp "
                                  "(it reads databases without SQLAlchemy); pass its URL instead")
    raise TypeError(f"sql_database: `credentials` is a {type(credentials).__name__}; give a connection URL (str), a "
                    "dict of its parts or ConnectionStringCredentials")


def check_options(fn: str, backend: str, reflection_level: Optional[str], detect_precision_hints: Optional[bool],
                  unsupported: Dict[str, Any]) -> str:
    """Refuses what the engine cannot do (naming the option); returns the reflection level."""
    if backend not in NATIVE_BACKENDS:
        if backend in ("pandas", "connectorx"):
            raise NotImplementedError(
                f"{fn}: backend={backend!r} is not supported by dlt-cpp; use backend='sqlalchemy' or 'pyarrow' "
                "(both read the same typed rows natively, without Python in between)")
        raise ValueError(f"{fn}: backend must be one of sqlalchemy, pyarrow, pandas, connectorx, got {backend!r}")
    for name, value in unsupported.items():
        if value is None or value is False or value == {}:
            continue
        if name == "table_adapter_callback" and value is remove_nullability_adapter:
            continue  # dlt's own adapter: the columns are made nullable without it being called
        if name == "table_loader_class":
            _refuse_table_loader(f"{fn}: `table_loader_class`")
        raise NotImplementedError(
            f"{fn}: `{name}` is not supported by dlt-cpp (it reads databases natively, without SQLAlchemy "
            "objects to adapt); select columns with included_columns/excluded_columns and set hints with "
            "apply_hints(...)")
    if detect_precision_hints:
        return "full_with_precision"
    level = reflection_level or "minimal"
    if level not in REFLECTION_LEVELS:
        raise ValueError(f"{fn}: reflection_level must be one of {', '.join(REFLECTION_LEVELS)}, got {level!r}")
    return level


# dlt's callback types (the callbacks are refused: see check_options)
TTableAdapter = Callable[[Any], Any]
TQueryAdapter = Callable[..., Any]
TTypeAdapter = Callable[[Any], Any]


def remove_nullability_adapter(table: Any) -> Any:
    """dlt's table adapter that removes the nullability of the reflected columns, so that every
    column is created nullable (`table_adapter_callback=remove_nullability_adapter`). dlt-cpp
    reflects without SQLAlchemy: passed as the callback it is not called, the table's columns are
    made nullable by the engine (SqlTableResource). Called on an object with `columns` (as from a
    custom adapter in dlt), it clears their `nullable` as dlt's does."""
    for col in getattr(table, "columns", None) or []:
        if hasattr(col, "nullable"):
            col.nullable = None
    return table


def _refuse_table_loader(what: str) -> None:
    raise NotImplementedError(
        f"{what}: custom table loaders (TableLoader, BaseTableLoader, register_table_loader_backend) are not "
        "supported by dlt-cpp: its engine reads the tables natively, without SQLAlchemy connections or queries to "
        "hand to a loader; use backend='sqlalchemy' or 'pyarrow'")


class BaseTableLoader:
    """dlt's base class of table loaders. Subclassing it is allowed (as dlt's docs show), but
    dlt-cpp cannot use a loader: making one, or passing one as `table_loader_class`, raises
    NotImplementedError naming it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _refuse_table_loader(type(self).__name__)

    def load_rows(self, backend_kwargs: Optional[Dict[str, Any]] = None) -> Any:
        _refuse_table_loader(f"{type(self).__name__}.load_rows")

    def make_query(self) -> Any:
        _refuse_table_loader(f"{type(self).__name__}.make_query")


class TableLoader(BaseTableLoader):
    """dlt's SQLAlchemy table loader: as BaseTableLoader, refused by dlt-cpp when used."""


class ConnectorXTableLoader(BaseTableLoader):
    """dlt's ConnectorX table loader: as BaseTableLoader, refused by dlt-cpp when used."""


def register_table_loader_backend(backend: str, loader_class: Any) -> None:
    """dlt's registry of named backends: refused (NotImplementedError), dlt-cpp has no loaders."""
    _refuse_table_loader(f"register_table_loader_backend({backend!r}, ...)")


def get_table_loader_class(backend: str) -> Any:
    """dlt's loader class of a backend: refused (NotImplementedError), dlt-cpp has no loaders."""
    _refuse_table_loader(f"get_table_loader_class({backend!r})")


def engine_from_credentials(credentials: Any, may_dispose_after_use: bool = False, **backend_kwargs: Any) -> Any:
    """dlt's SQLAlchemy Engine of the credentials: refused, dlt-cpp connects without SQLAlchemy."""
    raise NotImplementedError("engine_from_credentials: dlt-cpp reads databases without SQLAlchemy, so it has no "
                              "Engine to make; pass the credentials (a URL) to sql_database/sql_table")


def unwrap_json_connector_x(field: str) -> Any:
    """dlt's add_map step for JSON columns read by the ConnectorX backend, which dlt-cpp refuses."""
    raise NotImplementedError("unwrap_json_connector_x: backend='connectorx' is not supported by dlt-cpp (its "
                              "sqlalchemy and pyarrow backends read JSON columns as JSON, nothing to unwrap)")


class SqlTableResource(DltResource):
    """One table of a database as a resource. The engine reads its rows (typed, straight into
    the load job); hints set here (apply_hints, write_disposition, incremental) go with it."""

    def __init__(self, database: Any, name: str, table: str, schema: Optional[str], hints: Dict[str, Any],
                 reflected: Optional[Dict[str, Any]] = None, included_columns: Optional[List[str]] = None,
                 excluded_columns: Optional[List[str]] = None, arrow_items: bool = False,
                 chunk_size: int = 50000, section: str = "sql_database", nullable: bool = True) -> None:
        super().__init__(name, data=None, hints={k: v for k, v in hints.items() if v is not None})
        # backend="pyarrow": the rows are dlt's Arrow items (no _dlt_id/_dlt_load_id unless
        # [normalize.parquet_normalizer] asks for them).
        self._arrow_items = arrow_items
        self._sql = database  # the native SqlDatabase: connection and reflection options
        self._sql_table = table
        self._sql_schema = schema
        self._reflected = reflected or {}  # what the catalog said: columns, primary_key
        self._included = list(included_columns) if included_columns else None
        self._excluded = list(excluded_columns or [])
        self.section = section
        self._chunk_size = chunk_size
        # False: remove_nullability_adapter, every column is created nullable (the catalog's
        # NOT NULL is not kept)
        self._nullable = nullable
        self._max_rows: Optional[int] = None  # add_limit: at most this many rows

    def _raw_items(self) -> Any:
        """The table's rows read in Python (list(table), a transformer over it): the engine reads
        them outside any pipeline (an incremental starts at its initial value) and hands them over
        in pages of dicts, to which the resource's steps then apply."""
        from dlt._engine import engine_pages

        if self._arrow_items:
            raise NotImplementedError(f"resource `{self.name}`: iterating Arrow tables (backend='pyarrow') in Python is "
                                      "not supported by dlt-cpp; use the default backend, whose rows are dicts")
        return engine_pages((self._sql, [self._sql_options({})], {}))

    def _add_step(self, step: Any, insert_at: Optional[int] = None) -> "DltResource":
        # add_map / add_filter / add_yield_map: the engine hands the rows to Python for them
        # (dicts, as dlt's sqlalchemy backend yields them).
        if self._arrow_items:
            raise NotImplementedError(f"resource `{self.name}`: add_map, add_filter and add_yield_map on Arrow tables "
                                      "(backend='pyarrow') are not supported by dlt-cpp; use the default backend, "
                                      "whose rows reach the steps as dicts")
        return super()._add_step(step, insert_at)

    def add_limit(self, max_items: Optional[int] = None, max_time: Optional[float] = None,
                  count_rows: Optional[bool] = False) -> "DltResource":
        """dlt's limit on a table, forwarded to the query as dlt forwards it: `max_items` chunks
        of `chunk_size` rows, or `max_items` rows with count_rows; None or -1: no limit."""
        if max_time is not None:
            raise NotImplementedError(f"resource `{self.name}`: add_limit(max_time=...) on sql_database tables is not "
                                      "supported by dlt-cpp (max_items is)")
        if max_items is None or max_items == -1:
            self._max_rows = None
            return self
        if max_items < 0:
            raise ValueError(f"resource `{self.name}`: add_limit(max_items) must be 0 or more (or -1: no limit), "
                             f"not {max_items}")
        self._max_rows = max_items * (1 if count_rows else self._chunk_size)
        return self

    def _catalog_columns(self) -> List[Dict[str, Any]]:
        """The table's columns as the catalog gives them (name, data_type, nullable, precision,
        scale), read once when first needed."""
        if self._reflected.get("columns") is None:
            from dlt import _engine

            r = self._sql.columns(_engine.workspace(), self._sql_table, self._sql_schema)
            if not r["ok"]:
                raise_engine_error(r["message"], r["code"], [self._sql_table])
            self._reflected["columns"] = list(r["columns"])
        return self._reflected["columns"]

    def compute_table_schema(self) -> Dict[str, Any]:
        t = super().compute_table_schema()
        if self._reflected.get("deferred"):
            return t  # as dlt: a deferred table's columns are known only at the run
        cols = {c["name"]: dict(c) for c in self._catalog_columns()}
        if not self._nullable:
            for c in cols.values():
                c.pop("nullable", None)  # as dlt's remove_nullability_adapter leaves them
        key = self._hints.get("primary_key") or self._reflected.get("primary_key") or []
        for name in [key] if isinstance(key, str) else key:
            cols.setdefault(name, {"name": name})["primary_key"] = True
        for name, c in t.get("columns", {}).items():
            cols.setdefault(name, {}).update(c)
        if self._included is not None:
            cols = {k: v for k, v in cols.items() if k in self._included}
        cols = {k: v for k, v in cols.items() if k not in self._excluded}
        if cols:
            t["columns"] = cols
        return t

    def _sql_options(self, defaults: Dict[str, Any]) -> Dict[str, Any]:
        """The engine's SqlTableOptions of this table, with the hints as the pipeline applies them."""
        inc = self.incremental
        if inc is not None and inc._in_python:
            raise NotImplementedError(f"resource `{self.name}`: lag and a custom last_value_func are not supported "
                                      "by dlt-cpp on sql_database tables (the engine's query uses max or min)")
        opts = self._native_options(defaults)
        opts["table"] = self._sql_table
        if self._arrow_items:
            opts["arrow_items"] = True
        if self._max_rows is not None:
            opts["max_rows"] = self._max_rows
        if self._sql_schema:
            opts["schema"] = self._sql_schema
        excluded = list(self._excluded)
        if self._included is not None:
            known = [c["name"] for c in self._catalog_columns()]
            missing = [c for c in self._included if c not in known]
            if missing:
                raise ValueError(f"resource `{self.name}`: included_columns {missing} are not columns of table "
                                 f"`{self._sql_table}` (it has {', '.join(known)})")
            excluded += [c for c in known if c not in self._included and c not in excluded]
        opts["excluded_columns"] = excluded
        from dlt.extract.items import page_steps

        steps = page_steps(self._steps) is not None and not self._reflected.get("deferred")
        if steps or not self._nullable:
            # Rows through Python steps come back as dicts: the catalog's columns (as the
            # reflection level gives them) are their hints, as dlt's sql_table sets them. With
            # remove_nullability_adapter every column is nullable (hints given keep theirs).
            cols = [dict(c) for c in opts.get("columns") or []]
            given = {c["name"] for c in cols}
            if not self._nullable:
                for c in cols:
                    c.setdefault("nullable", True)
            for c in self._catalog_columns():
                if c["name"] in given or c["name"] in excluded:
                    continue
                if not self._nullable:
                    cols.append(dict(c, nullable=True) if steps else {"name": c["name"], "nullable": True})
                else:
                    cols.append(dict(c))
            if cols:
                opts["columns"] = cols
        return opts

    def __repr__(self) -> str:
        return f"DltResource(sql_table `{self._sql_table}`, table `{self.table_name}`)"
