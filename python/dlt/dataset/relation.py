"""dlt.Relation: a lazy query on a dataset (a table, SQL text, or one refined with select, where,
order_by, limit, join, max/min), read as tuples, a scalar, data frames or Arrow tables.

    dataset["customers"].where("id", "in", [1, 3]).order_by("id", "desc").fetchall()
    dataset["customers"].select("id").max().fetchscalar()
    dataset["users"].join("users__orders", alias="orders").select("name", "orders__total").fetchall()

Column names are checked against the relation's columns (as the database reports them) when a
filter, order or projection names them; an unknown one raises RelationUnknownColumnException
(a KeyError too, as dlt raises for it)."""

from collections.abc import Sequence as _SequenceABC
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, Dict, Generator, Iterator, List, Optional, Sequence, Tuple

from dlt.dataset import _join
from dlt.dataset import query as q
from dlt.dataset.exceptions import RelationUnknownColumnException
from dlt.dataset.sql import JOIN_KINDS, SORT_ORDERS, check_choice


class Relation:
    def __init__(self, *, dataset: Any, query: Any = None, query_dialect: Optional[str] = None,
                 table_name: Optional[str] = None, _layer: Optional[q.Layer] = None) -> None:
        """A relation on `dataset`: of a whole table (`table_name`) or of a query (SQL text, or
        a sqlglot expression when sqlglot is installed)."""
        if _layer is None:
            if table_name is None and query is None:
                raise ValueError("`dlt.Relation` needs to receive minimally `table_name` or `query` at"
                                 " initialization.")
            if query is not None:
                _layer = q.Layer(q.SqlSource(dataset._query_text(query, query_dialect)))
            else:
                _layer = q.Layer(q.TableSource(table_name))
        self._dataset = dataset
        self._layer = _layer
        self._table_name = _layer.base_table if _layer.is_plain else None
        self._output: Optional[List[Tuple[str, str]]] = None  # (name, dlt type) once asked for

    def _derive(self, layer: q.Layer) -> "Relation":
        return Relation(dataset=self._dataset, _layer=layer)

    def __copy__(self) -> "Relation":
        return self._derive(self._layer)

    # --- what the database says -----------------------------------------------------------------
    def _output_columns(self) -> List[Tuple[str, str]]:
        if self._output is None:
            with self._dataset._connection() as c:
                sql = q.to_sql(replace(self._layer, limit=0), self._dataset._renderer(c))
                cur = c.execute_query(sql)
            self._output = list(cur._columns)
        return self._output

    @property
    def columns(self) -> List[str]:
        """The names of the relation's columns."""
        return [n for n, _ in self._output_columns()]

    @property
    def columns_schema(self) -> Dict[str, Dict[str, Any]]:
        """dlt's column schemas of the relation's columns: the dataset schema's column where the
        column is a table's, else its name and the type the database reports."""
        tables = self._dataset._schema_tables()
        out: Dict[str, Dict[str, Any]] = {}
        for name, data_type in self._output_columns():
            col: Dict[str, Any] = {"name": name, "data_type": data_type}
            origin = q.lineage(self._layer, name)
            if origin and origin[0] in tables:
                known = tables[origin[0]].get("columns", {}).get(origin[1])
                if known and not self._layer.aggregated:
                    col = dict(known, name=name)
            out[name] = col
        return out

    @property
    def schema(self) -> Dict[str, Any]:
        return {"columns": self.columns_schema}

    def _ipython_key_completions_(self) -> List[str]:
        return self.columns

    def _check_columns(self, names: Sequence[str]) -> None:
        available = self.columns
        for n in names:
            if not isinstance(n, str):
                raise TypeError(f"a column name must be a string, got `{n!r}`")
            if n not in available:
                raise RelationUnknownColumnException(n, available)

    # --- refining -------------------------------------------------------------------------------
    def limit(self, limit: int) -> "Relation":
        """The relation with a LIMIT (replacing one set before)."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise ValueError(f"limit must be a non-negative integer, got `{limit!r}`")
        return self._derive(replace(self._layer, limit=limit))

    def head(self, limit: int = 5) -> "Relation":
        return self.limit(limit)

    def select(self, *columns: str) -> "Relation":
        """The relation with only `columns`, in this order."""
        if not columns:
            raise ValueError("select() needs at least one column name")
        self._check_columns(columns)
        return self._derive(q.select(self._layer, columns))

    def __getitem__(self, columns: Any) -> "Relation":
        if isinstance(columns, str):
            columns = [columns]
        elif not isinstance(columns, _SequenceABC):
            raise TypeError(f"Received value `columns={columns}` of type `{type(columns).__name__}`."
                            " Valid types are: `[Sequence[str]]`")
        return self.select(*columns)

    def order_by(self, column_name: str, direction: str = "asc") -> "Relation":
        """The relation ordered by `column_name` ("asc" or "desc"); orders add up."""
        if direction not in SORT_ORDERS:
            raise ValueError(f"`{direction}` is an invalid sort order, allowed values are: `asc` and `desc`")
        self._check_columns([column_name])
        layer = q.wrap(self._layer) if self._layer.aggregated else self._layer
        expr = q.resolve(layer, column_name)
        return self._derive(replace(layer, order=layer.order + ((expr, direction == "desc"),)))

    def where(self, column_or_expr: Any, operator: Optional[str] = None, value: Any = None) -> "Relation":
        """Rows where `column <operator> value` (operators eq, ne, gt, lt, gte, lte, in, not_in;
        the value is written as a typed SQL literal), or where a raw SQL condition holds
        (`where("id = 1")`, or a sqlglot expression)."""
        layer = self._layer
        if operator is None and value is None:
            if isinstance(column_or_expr, str):
                cond = column_or_expr
            elif hasattr(column_or_expr, "sql"):  # a sqlglot expression
                cond = column_or_expr.sql(dialect=self._dataset.destination_dialect)
            else:
                raise TypeError(f"where() takes a column name with an operator and a value, or a SQL condition;"
                                f" got `{column_or_expr!r}`")
            if not cond.strip():
                raise ValueError("where() got an empty SQL condition")
            # a condition on a join or an aggregate reads the relation's columns
            if layer.aggregated or layer.joins:
                layer = q.wrap(layer)
            return self._derive(q.where(layer, q.RawCond(cond)))
        if operator is None:
            raise ValueError(f"where() got a value for `{column_or_expr}` but no operator")
        check_choice("operator", operator, ("eq", "ne", "gt", "lt", "gte", "lte", "in", "not_in"))
        if not isinstance(column_or_expr, str):
            raise TypeError(f"where() with an operator takes a column name, got `{column_or_expr!r}`")
        self._check_columns([column_or_expr])
        if layer.aggregated:
            layer = q.wrap(layer)
        return self._derive(q.where(layer, q.OpCond(q.resolve(layer, column_or_expr), operator, value)))

    def filter(self, column_or_expr: Any, operator: Optional[str] = None, value: Any = None) -> "Relation":  # noqa: A003
        """The same as where()."""
        return self.where(column_or_expr, operator, value)

    def _aggregate(self, func: str) -> "Relation":
        layer = self._layer
        if layer.items is None:
            names = self.columns
            if len(names) == 1:
                layer = q.select(layer, names)
        return self._derive(q.aggregate(layer, func))

    def max(self) -> "Relation":  # noqa: A003
        """MAX of the relation's one column (select it first)."""
        return self._aggregate("MAX")

    def min(self) -> "Relation":  # noqa: A003
        """MIN of the relation's one column (select it first)."""
        return self._aggregate("MIN")

    def join(self, other: Any, *, kind: str = "inner", alias: Optional[str] = None) -> "Relation":
        """This table joined to table `other` along the schema's references (nested tables to their
        parents, root keys, `references` hints); the joined table's columns come as
        `<alias or table name>__<column>`. `kind`: inner, left, right, full."""
        if alias is not None and (not isinstance(alias, str) or alias == ""):
            raise ValueError("`alias` must be a non-empty string when provided.")
        check_choice("kind", kind, JOIN_KINDS)
        layer = self._layer
        if layer.base_table is None or layer.aggregated:
            raise ValueError("This relation has no base table to resolve references.")
        if isinstance(other, Relation):
            if not self._dataset._same_dataset(other._dataset):
                raise ValueError("Cannot join relations from different datasets: "
                                 f"'{other._dataset.dataset_name}' vs '{self._dataset.dataset_name}'")
            if other._table_name is None:
                raise ValueError(f"Relation `{other!r}` has no base table to resolve references: join a table"
                                 " (or its name) and refine the joined relation.")
            target = other._table_name
        else:
            target = other
        if not target or not isinstance(target, str):
            raise ValueError("`other` must be a table name or a base table relation.")
        tables = self._dataset._schema_tables()
        if target not in tables:
            raise ValueError(f"Table `{target}` not found in dataset schema")
        prefix = alias or target
        joined, target_q, added = _join.add_joins(layer, tables, target, kind)
        target_columns = self._dataset.table(target).columns
        new_names = [f"{prefix}__{c}" for c in target_columns]
        clashes = set(new_names) & set(self.columns)
        if clashes:
            if clashes == set(new_names) and not added:
                return self  # joined before: nothing to add
            raise ValueError("Join projection output names conflict with existing columns: "
                             f"{', '.join(sorted(clashes))}. Choose a different `alias` for `join(...)`.")
        items = joined.items + tuple((q.Col(target_q, c), n) for c, n in zip(target_columns, new_names))
        return self._derive(replace(joined, items=items))

    def with_load_id_col(self) -> "Relation":
        """This table's relation with `_dlt_load_id` (read from the root table for nested tables)."""
        if self._table_name is None:
            raise ValueError("`with_load_id_col()` only works on relations created via .table()."
                             " It can't be applied to arbitrary relation.")
        if "_dlt_load_id" in self.columns:
            return self
        tables = self._dataset._schema_tables()
        if self._table_name not in tables:
            raise ValueError(f"Table `{self._table_name}` not found in dataset schema")
        root = _join.root_table(tables, self._table_name)
        if root == self._table_name:
            raise ValueError(f"Table `{self._table_name}` has no `_dlt_load_id` column and no parent table")
        joined, root_q, _ = _join.add_joins(self._layer, tables, root, "inner")
        return self._derive(replace(joined, items=joined.items + ((q.Col(root_q, "_dlt_load_id"), None),)))

    def from_loads(self, load_ids: Any, add_load_id_column: bool = False) -> "Relation":
        """This table's rows of the loads `load_ids`."""
        if self._table_name is None:
            raise ValueError("`from_loads()` only works on relations created via .table()."
                             " It can't be applied to arbitrary relation.")
        initial = self.columns
        rel = self.with_load_id_col().where("_dlt_load_id", "in", list(load_ids))
        return rel if add_load_id_column else rel.select(*initial)

    # --- SQL ------------------------------------------------------------------------------------
    def to_sql(self, pretty: bool = False, *, _raw_query: bool = False) -> str:
        """The statement this relation runs."""
        with self._dataset._connection() as c:
            return q.to_sql(self._layer, self._dataset._renderer(c), pretty)

    @property
    def query(self) -> str:
        return self.to_sql()

    @property
    def destination_dialect(self) -> str:
        return self._dataset.destination_dialect

    @property
    def query_dialect(self) -> str:
        return self.destination_dialect

    @property
    def sql_client(self) -> Any:
        return self._dataset.sql_client

    @property
    def sqlglot_expression(self) -> Any:
        try:
            import sqlglot
        except ImportError:
            from dlt.common.exceptions import MissingDependencyException

            raise MissingDependencyException("relation.sqlglot_expression", ["sqlglot"]) from None
        return sqlglot.parse_one(self.to_sql(), dialect=self.destination_dialect)

    def to_ibis(self) -> Any:
        from dlt.dataset.dataset import ibis_unavailable

        raise ibis_unavailable("relation.to_ibis()")

    # --- reading --------------------------------------------------------------------------------
    def _execute(self) -> Any:
        with self._dataset._connection() as c:
            return c.execute_query(q.to_sql(self._layer, self._dataset._renderer(c)))

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        yield self._execute()

    def fetchall(self) -> List[Tuple[Any, ...]]:
        return self._execute().fetchall()

    def fetchmany(self, chunk_size: int = 1) -> List[Tuple[Any, ...]]:
        return self._execute().fetchmany(chunk_size)

    def fetchone(self) -> Optional[Tuple[Any, ...]]:
        return self._execute().fetchone()

    def fetchscalar(self) -> Any:
        """The first value of the first row (None for no rows); ValueError unless the result is one
        row of one column."""
        rows = self.fetchmany(2)
        if not rows:
            return None
        if len(rows) != 1:
            raise ValueError("Expected scalar result (single row, single column), got more than one row")
        if len(rows[0]) != 1:
            raise ValueError("Expected scalar result (single row, single column), got 1 row with"
                             f" {len(rows[0])} columns")
        return rows[0][0]

    def iter_fetch(self, chunk_size: int) -> Generator[List[Tuple[Any, ...]], None, None]:
        yield from self._execute().iter_fetch(chunk_size)

    def iter_df(self, chunk_size: int) -> Generator[Any, None, None]:
        pandas = _require("pandas", "relation.iter_df()")
        cur = self._execute()
        for rows in cur.iter_fetch(chunk_size):
            yield pandas.DataFrame.from_records(rows, columns=cur.columns)

    def iter_arrow(self, chunk_size: int) -> Generator[Any, None, None]:
        pyarrow = _require("pyarrow", "relation.iter_arrow()")
        cur = self._execute()
        for rows in cur.iter_fetch(chunk_size):
            yield _arrow_table(pyarrow, cur.columns, rows)

    def df(self, chunk_size: Optional[int] = None, **kwargs: Any) -> Any:
        """All rows as a pandas DataFrame (with `chunk_size`, its first chunk; None when empty)."""
        pandas = _require("pandas", "relation.df()")
        cur = self._execute()
        rows = cur.fetchmany(chunk_size) if chunk_size else cur.fetchall()
        if chunk_size and not rows:
            return None
        return pandas.DataFrame.from_records(rows, columns=cur.columns)

    def arrow(self, chunk_size: Optional[int] = None, **kwargs: Any) -> Any:
        """All rows as a pyarrow Table (with `chunk_size`, its first chunk; None when empty)."""
        pyarrow = _require("pyarrow", "relation.arrow()")
        cur = self._execute()
        rows = cur.fetchmany(chunk_size) if chunk_size else cur.fetchall()
        if chunk_size and not rows:
            return None
        return _arrow_table(pyarrow, cur.columns, rows)

    # --- printing -------------------------------------------------------------------------------
    def __str__(self) -> str:
        lines = ["Relation query:"] + ["  " + line for line in self.to_sql(pretty=True).splitlines()] + ["Columns:"]
        lines += [f"  {c['name']} {c.get('data_type')}" for c in self.columns_schema.values()]
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        try:
            sql = self.to_sql(pretty=True)
        except Exception:  # no connection (nothing loaded yet): say what it is made of
            sql = repr(self._layer)
        return f"dlt.Relation(dataset={self._dataset!r}, query={sql!r})"


def _require(module: str, caller: str) -> Any:
    try:
        return __import__(module)
    except ImportError:
        from dlt.common.exceptions import MissingDependencyException

        raise MissingDependencyException(caller, [module]) from None


def _arrow_table(pyarrow: Any, columns: List[str], rows: List[Tuple[Any, ...]]) -> Any:
    arrays = [pyarrow.array([r[i] for r in rows]) for i in range(len(columns))]
    return pyarrow.Table.from_arrays(arrays, names=list(columns))
