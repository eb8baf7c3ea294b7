"""dlt.Dataset: pipeline.dataset(), the loaded tables of a pipeline's dataset as relations.

    dataset = pipeline.dataset()
    dataset.customers.fetchall(); dataset["customers"]; dataset.table("customers")
    dataset("SELECT * FROM customers WHERE id > 1").fetchall()
    dataset.row_counts().fetchall(); dataset.load_ids(); dataset.latest_load_id()
    with dataset:            # one connection for every query in the block
        ...

Each query opens a read-only session on the destination and closes it when its rows are read,
unless a `with dataset:` block holds one open."""

from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional, Tuple

from dlt.destinations.sql_client import SqlClient
from dlt.dataset import query as q
from dlt.dataset.relation import Relation
from dlt.dataset.sql import Renderer, dialect_of

_KNOWN_TYPES = ("duckdb", "motherduck", "postgres", "filesystem")


class _KeptOpenClient(SqlClient):
    """The connection a `with dataset:` block holds: a `with` on it (dataset.sql_client) leaves it
    open, as dlt's dataset does."""

    def __exit__(self, *exc: Any) -> None:
        pass


def ibis_unavailable(caller: str) -> Exception:
    try:
        import ibis  # noqa: F401
    except ImportError:
        from dlt.common.exceptions import MissingDependencyException

        return MissingDependencyException(caller, ["ibis-framework"])
    return NotImplementedError(f"{caller}: ibis backends are not offered by dlt-cpp; use SQL (`dataset(sql)`)"
                               " or the relation's methods")


class Dataset:
    def __init__(self, pipeline: Any, schema: Any = None) -> None:
        """The dataset of `pipeline`; `schema` (a name or a Schema) restricts it to that schema."""
        self._pipeline = pipeline
        self._schema_arg = schema
        self._opened: Optional[SqlClient] = None
        self._depth = 0
        self._named_schema: Any = None  # the schema `schema="name"` resolved to, once looked up

    # --- connections ----------------------------------------------------------------------------
    @contextmanager
    def _connection(self) -> Iterator[SqlClient]:
        """An open session: the one `with dataset:` holds, else a new one closed afterwards."""
        if self._opened is not None:
            yield self._opened
            return
        with SqlClient(self._pipeline, read_only=True) as client:
            yield client

    def _client(self) -> Any:
        return self._connection()

    def _renderer(self, client: SqlClient) -> Renderer:
        r = Renderer(client)
        if self._schema_arg is not None:
            # as dlt, a table's `*` is the columns the dataset's schema(s) give it
            r.star_columns = self._star_columns
        return r

    def _star_columns(self, table_name: str) -> Optional[List[str]]:
        """The columns a `SELECT *` of `table_name` reads on a dataset restricted to schema(s):
        those the schema(s) know with a data type, in the schema's order (the first schema's
        columns first, as dlt unifies them), or None (all of them) for a table no schema knows."""
        names: List[str] = []
        for schema in self.schemas:
            table = schema.tables.get(table_name)
            if not table:
                continue
            for name, col in (table.get("columns") or {}).items():
                if col.get("data_type") is not None and name not in names:
                    names.append(name)
        return names or None

    def __enter__(self) -> "Dataset":
        """Keeps one connection open until the block ends."""
        if self._opened is None:
            client = _KeptOpenClient(self._pipeline, read_only=True)
            client.open_connection()
            self._opened = client
        self._depth += 1
        return self

    def __exit__(self, *exc: Any) -> None:
        self._depth -= 1
        if self._depth <= 0 and self._opened is not None:
            self._depth = 0
            client, self._opened = self._opened, None
            client.close_connection()

    @property
    def sql_client(self) -> SqlClient:
        """The SQL client of the dataset (the open one inside `with dataset:`)."""
        return self._opened if self._opened is not None else SqlClient(self._pipeline, read_only=True)

    @property
    def sql_client_class(self) -> type:
        return SqlClient

    # --- what it is -----------------------------------------------------------------------------
    @property
    def dataset_name(self) -> str:
        return self._pipeline.dataset_name

    @property
    def destination_dialect(self) -> str:
        """dlt's (sqlglot's) dialect of the destination: "duckdb" or "postgres"."""
        dest_type = getattr(self._pipeline.destination, "destination_type", None)
        if dest_type in _KNOWN_TYPES:
            return dialect_of(dest_type)
        with self._connection() as c:  # a named destination: its type is the session's
            return dialect_of(c.native_connection.destination_type)

    @property
    def schema(self) -> Any:
        """The dataset's (default) schema, dlt's Schema."""
        arg = self._schema_arg
        if arg is None:
            return self._pipeline.default_schema
        if isinstance(arg, str):
            if self._named_schema is None or self._named_schema.name != arg:
                self._named_schema = self._schema_named(arg)
            return self._named_schema
        if isinstance(arg, (list, tuple)):
            if not arg:
                raise ValueError("schema sequence must not be empty")
            return arg[0]
        return arg

    def _schema_named(self, name: str) -> Any:
        """As dlt: the pipeline's schema of that name, else the newest one stored in the
        destination's `_dlt_version` table, else a new (empty) schema of that name."""
        from dlt.common.schema import Schema

        local = self._pipeline.schemas.get(name)
        if local is not None:
            return local
        try:
            with self._connection() as c:
                rows = c.execute_sql(
                    f"SELECT {c.native_connection.quote_identifier('schema')} FROM "
                    f"{c.make_qualified_table_name('_dlt_version')} WHERE schema_name = %s"
                    " ORDER BY inserted_at DESC LIMIT 1", name)
        except Exception:  # no destination dataset (nothing loaded yet)
            rows = None
        if rows and rows[0][0]:
            import json

            try:
                return Schema.from_dict(json.loads(rows[0][0]))
            except ValueError:
                pass
        # a new dlt schema has dlt's version and loads tables
        return Schema(name, tables={t: {"name": t, "columns": {}} for t in ("_dlt_version", "_dlt_loads")})

    @property
    def schemas(self) -> Tuple[Any, ...]:
        """Every schema of the dataset, the default first."""
        arg = self._schema_arg
        if isinstance(arg, (list, tuple)) and arg:
            return tuple(arg)
        if arg is not None:
            return (self.schema,)
        schemas = list(self._pipeline.schemas.values())
        return tuple(schemas) if schemas else (self.schema,)

    def _has_schemas(self) -> bool:
        """Whether the tables come from schemas: given ones, or the pipeline's (it ran here)."""
        return self._schema_arg is not None or bool(self._pipeline.schemas)

    def _schema_tables(self) -> Dict[str, Any]:
        tables: Dict[str, Any] = {}
        for schema in self.schemas:
            for name, table in schema.tables.items():
                tables.setdefault(name, table)
        return tables

    @property
    def tables(self) -> List[str]:
        """The names of the dataset's tables, as dlt: the data tables and then dlt's own tables of
        its schema(s) (`pipeline.dataset()`: the pipeline's, the default first), not other tables
        of the same physical dataset; a pipeline with no schema yet lists what the dataset holds."""
        if self._has_schemas():
            names: List[str] = []
            for schema in self.schemas:
                for name in schema.data_table_names() + schema.dlt_table_names():
                    if name not in names:
                        names.append(name)
            return names
        with self._connection() as c:
            rows = c.execute_sql(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY table_name",
                c.dataset_name)
        return [r[0] for r in rows or []]

    def _ipython_key_completions_(self) -> List[str]:
        return self.tables

    def _same_dataset(self, other: "Dataset") -> bool:
        if other is self:
            return True
        mine, theirs = self._pipeline, getattr(other, "_pipeline", None)
        return theirs is not None and (
            mine.pipeline_name, mine.destination.destination_name, mine.dataset_name
        ) == (theirs.pipeline_name, theirs.destination.destination_name, theirs.dataset_name)

    def is_same_physical_destination(self, other: "Dataset") -> bool:
        return self._same_dataset(other)

    # --- relations ------------------------------------------------------------------------------
    def _query_text(self, query: Any, query_dialect: Optional[str]) -> str:
        if isinstance(query, str):
            if query_dialect and query_dialect != self.destination_dialect:
                try:
                    import sqlglot
                except ImportError:
                    from dlt.common.exceptions import MissingDependencyException

                    raise MissingDependencyException(
                        f"a query in the `{query_dialect}` dialect", ["sqlglot"],
                        f"It is translated to `{self.destination_dialect}` with sqlglot.") from None
                return sqlglot.transpile(query, read=query_dialect, write=self.destination_dialect)[0]
            return query
        if hasattr(query, "sql"):  # a sqlglot expression
            return query.sql(dialect=self.destination_dialect)
        raise TypeError(f"a query must be SQL text (or a sqlglot expression), got `{type(query).__name__}`")

    def query(self, query: Any, query_dialect: Optional[str] = None, *, _execute_raw_query: bool = False) -> Relation:
        """A relation of SQL text (unqualified table names are the dataset's)."""
        return Relation(dataset=self, query=query, query_dialect=query_dialect)

    def __call__(self, query: Any, query_dialect: Optional[str] = None, *, _execute_raw_query: bool = False) -> Relation:
        return self.query(query, query_dialect)

    def table(self, table_name: str, *, load_ids: Any = None, **kwargs: Any) -> Relation:
        """The relation of a table; with `load_ids`, of its rows of those loads. ValueError for a
        table the dataset does not have."""
        tables = self.tables
        if table_name not in tables:
            raise ValueError(f"Table `{table_name}` not found. Available table(s): {tables}")
        rel = Relation(dataset=self, table_name=table_name)
        return rel.from_loads(load_ids) if load_ids else rel

    def __getitem__(self, table_name: str) -> Relation:
        try:
            return self.table(table_name)
        except ValueError as exc:
            raise KeyError(table_name, str(exc)) from None

    def __getattr__(self, name: str) -> Relation:
        # not tables: dunders (as dlt: `dataset._load_info` is a table), nor anything before the
        # dataset is made (copies and unpickling look for attributes first)
        if name.startswith("__") or "_named_schema" not in self.__dict__:
            raise AttributeError(name)
        try:
            return self.table(name)
        except ValueError as exc:
            raise AttributeError(name, str(exc)) from None

    def loads_table(self) -> Relation:
        """The `_dlt_loads` table."""
        return Relation(dataset=self, table_name="_dlt_loads")

    def _loads_of(self, schema_name: Optional[str]) -> q.Layer:
        name = schema_name or self.schema.name
        return q.Layer(q.TableSource("_dlt_loads"), items=((q.Col(None, "load_id"), None),),
                       where=(q.OpCond(q.Col(None, "schema_name"), "eq", name),))

    def load_ids(self, schema_name: Optional[str] = None) -> List[str]:
        """The ids of the loads of the schema (the dataset's schema by default), oldest first."""
        layer = self._loads_of(schema_name)
        layer = q.Layer(layer.source, layer.items, where=layer.where, order=((q.Col(None, "load_id"), False),))
        return [r[0] for r in Relation(dataset=self, _layer=layer).fetchall()]

    def latest_load_id(self, schema_name: Optional[str] = None) -> Optional[str]:
        """The newest load id of the schema (the dataset's schema by default), None before any."""
        row = Relation(dataset=self, _layer=q.aggregate(self._loads_of(schema_name), "MAX")).fetchone()
        return row[0] if row else None

    def row_counts(self, data_tables: bool = True, dlt_tables: bool = False, table_names: Optional[List[str]] = None,
                   load_id: Optional[str] = None) -> Relation:
        """A relation of (table_name, row_count) for the data tables (and/or dlt's own tables, or
        `table_names`); with `load_id`, the rows of that load in the tables that have
        `_dlt_load_id`."""
        with self._connection() as c:
            if table_names:
                names = list(table_names)
            elif self._has_schemas():
                # as dlt: the schemas' data tables that have seen data, then their dlt tables
                names = []
                for schema in self.schemas if data_tables else ():
                    for t in schema.data_tables():
                        if (t.get("x-normalizer") or {}).get("seen-data") and t["name"] not in names:
                            names.append(t["name"])
                for schema in self.schemas if dlt_tables else ():
                    for name in schema.dlt_table_names():
                        if name not in names:
                            names.append(name)
            else:
                names = [t for t in self.tables
                         if (t.startswith("_dlt") and dlt_tables) or (not t.startswith("_dlt") and data_tables)]
            if load_id:
                rows = c.execute_sql(
                    "SELECT table_name FROM information_schema.columns WHERE table_schema = %s AND column_name = %s",
                    c.dataset_name, "_dlt_load_id")
                with_load_id = {r[0] for r in rows or []}
                names = [t for t in names if t in with_load_id]
            r = self._renderer(c)
            parts = []
            for t in names:
                sql = f"SELECT {r.string(t)} AS table_name, COUNT(*) AS row_count FROM {r.table(t)}"
                if load_id:
                    sql += f" WHERE {r.ident('_dlt_load_id')} = {r.string(load_id)}"
                parts.append(sql)
        sql = " UNION ALL ".join(parts) if parts else "SELECT NULL AS table_name, 0 AS row_count WHERE 1 = 0"
        return Relation(dataset=self, query=sql)

    def ibis(self, read_only: bool = False) -> Any:
        raise ibis_unavailable("dataset.ibis()")

    # --- printing -------------------------------------------------------------------------------
    def __repr__(self) -> str:
        dest = getattr(self._pipeline.destination, "destination_name", None)
        return f"dlt.dataset(dataset_name={self.dataset_name!r}, destination={dest!r})"

    def __str__(self) -> str:
        dest = getattr(self._pipeline.destination, "destination_name", None)
        header = f"Dataset `{self.dataset_name}` at `{dest}` "
        schemas = self.schemas
        lines = [header + (f"with schema `{schemas[0].name}`:" if len(schemas) == 1 else "with schemas:")]
        for s in schemas:
            prefix = f"  {s.name}: " if len(schemas) > 1 else "  "
            lines.append(prefix + (", ".join(s.data_table_names()) or "No data tables found."))
        return "\n".join(lines)
