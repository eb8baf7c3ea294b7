"""pipeline.dataset(): the loaded tables as relations (dlt's readable dataset):
`dataset.users.fetchall()`, `dataset["users"].limit(10).fetchall()`,
`dataset("SELECT ...").fetchall()`, `dataset.row_counts().fetchall()`."""

from typing import Any, List, Optional, Sequence, Tuple


class Relation:
    def __init__(self, dataset: "Dataset", table: Optional[str] = None, query: Optional[str] = None,
                 columns: Optional[Sequence[str]] = None, limit: Optional[int] = None) -> None:
        self._dataset = dataset
        self._table = table
        self._query = query
        self._columns = list(columns) if columns else None
        self._limit = limit

    def _clone(self, **changes: Any) -> "Relation":
        r = Relation(self._dataset, self._table, self._query, self._columns, self._limit)
        for k, v in changes.items():
            setattr(r, "_" + k, v)
        return r

    def to_sql(self) -> str:
        with self._dataset._client() as c:
            if self._query is not None:
                base = self._query
                if self._columns is None and self._limit is None:
                    return base
                cols = ", ".join(c.escape_column_name(x) for x in self._columns) if self._columns else "*"
                sql = f"SELECT {cols} FROM ({base}) AS q"
            else:
                cols = ", ".join(c.escape_column_name(x) for x in self._columns) if self._columns else "*"
                sql = f"SELECT {cols} FROM {c.make_qualified_table_name(self._table)}"
        if self._limit is not None:
            sql += f" LIMIT {int(self._limit)}"
        return sql

    @property
    def query(self) -> str:
        return self.to_sql()

    def limit(self, limit: int) -> "Relation":
        return self._clone(limit=limit)

    def head(self, limit: int = 5) -> "Relation":
        return self.limit(limit)

    def select(self, *columns: str) -> "Relation":
        return self._clone(columns=list(columns))

    def __getitem__(self, columns: Any) -> "Relation":
        return self.select(*([columns] if isinstance(columns, str) else columns))

    def _cursor(self) -> Any:
        sql = self.to_sql()
        with self._dataset._client() as c:
            return c.execute_query(sql)

    def fetchall(self) -> List[Tuple[Any, ...]]:
        return self._cursor().fetchall()

    def fetchmany(self, chunk_size: int) -> List[Tuple[Any, ...]]:
        return self._cursor().fetchmany(chunk_size)

    def fetchone(self) -> Optional[Tuple[Any, ...]]:
        return self._cursor().fetchone()

    def iter_fetch(self, chunk_size: int) -> Any:
        return self._cursor().iter_fetch(chunk_size)

    @property
    def columns(self) -> List[str]:
        return self.limit(0)._cursor().columns

    def df(self, chunk_size: Optional[int] = None) -> Any:
        return self._cursor().df()

    def arrow(self, chunk_size: Optional[int] = None) -> Any:
        try:
            import pyarrow
        except ImportError:
            from dlt.common.exceptions import MissingDependencyException

            raise MissingDependencyException("relation.arrow()", ["pyarrow"]) from None
        cur = self._cursor()
        rows = cur.fetchall()
        return pyarrow.table({c: [r[i] for r in rows] for i, c in enumerate(cur.columns)})

    def __repr__(self) -> str:
        return f"Relation({self.to_sql()!r})"


class Dataset:
    def __init__(self, pipeline: Any) -> None:
        self._pipeline = pipeline

    def _client(self) -> Any:
        from dlt.destinations.sql_client import SqlClient

        return SqlClient(self._pipeline, read_only=True)

    @property
    def dataset_name(self) -> str:
        return self._pipeline.dataset_name

    @property
    def schema(self) -> Any:
        """The pipeline's schema (dlt's Schema), as dlt's dataset gives it."""
        return self._pipeline.default_schema

    def __call__(self, query: str) -> Relation:
        return Relation(self, query=query)

    def query(self, query: str) -> Relation:
        return self(query)

    def table(self, name: str) -> Relation:
        return Relation(self, table=name)

    def __getitem__(self, name: str) -> Relation:
        return self.table(name)

    def __getattr__(self, name: str) -> Relation:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.table(name)

    @property
    def tables(self) -> List[str]:
        with self._client() as c:
            rows = c.execute_sql(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY table_name",
                c.dataset_name)
        return [r[0] for r in rows or []]

    def row_counts(self, data_tables: bool = True, dlt_tables: bool = False) -> Relation:
        names = [t for t in self.tables if (t.startswith("_dlt") and dlt_tables) or (not t.startswith("_dlt") and data_tables)]
        with self._client() as c:
            parts = [f"SELECT '{t}' AS table_name, COUNT(*) AS row_count FROM {c.make_qualified_table_name(t)}" for t in names]
        return Relation(self, query=" UNION ALL ".join(parts) if parts else "SELECT NULL AS table_name, 0 AS row_count WHERE 1 = 0")

    def __repr__(self) -> str:
        return f"Dataset({self.dataset_name!r})"
