"""The query a relation stands for: a SELECT over a table, a SQL text or another such SELECT, with
its projection, joins, WHERE, ORDER BY and LIMIT, kept as data and written as SQL when run.

Operations follow dlt's relations (which edit one sqlglot SELECT): `where`/`order_by`/`limit` set
the clauses of the current SELECT (so `limit(5).order_by("id")` is `ORDER BY id LIMIT 5`),
`select` projects the current SELECT when it has no LIMIT or aggregate and wraps it in a
subquery otherwise (as sqlglot's merge_subqueries does), and `max`/`min` aggregate its single
column. Columns are resolved through the projection, so a filter on a joined column
(`orders__total`) filters on the joined table's column."""

from dataclasses import dataclass, replace
from typing import Any, List, NamedTuple, Optional, Sequence, Tuple, Union

from dlt.dataset.exceptions import RelationUnknownColumnException
from dlt.dataset.sql import JOIN_KINDS, Renderer


class Col(NamedTuple):
    qualifier: Optional[str]
    name: str


class Star(NamedTuple):
    qualifier: Optional[str]


class Agg(NamedTuple):
    func: str  # MAX, MIN
    arg: Any


Expr = Union[Col, Star, Agg]
Item = Tuple[Expr, Optional[str]]  # (expression, alias)


class RawCond(NamedTuple):
    sql: str


class OpCond(NamedTuple):
    expr: Expr
    operator: str
    value: Any


class Join(NamedTuple):
    kind: str
    table: str
    qualifier: str
    on: Tuple[Tuple[str, str, str, str], ...]  # (left qualifier, left column, right qualifier, right column)


class TableSource(NamedTuple):
    name: str


class SqlSource(NamedTuple):
    text: str


@dataclass(frozen=True)
class Layer:
    source: Union[TableSource, SqlSource, "Layer"]
    items: Optional[Tuple[Item, ...]] = None  # None: SELECT *
    joins: Tuple[Join, ...] = ()
    where: Tuple[Union[RawCond, OpCond], ...] = ()
    order: Tuple[Tuple[Expr, bool], ...] = ()  # (expression, descending)
    limit: Optional[int] = None
    aggregated: bool = False

    @property
    def is_plain(self) -> bool:
        """Nothing but its source: `SELECT * FROM t` or the SQL text as given."""
        return (self.items is None and not self.joins and not self.where and not self.order
                and self.limit is None and not self.aggregated)

    @property
    def base_table(self) -> Optional[str]:
        return self.source.name if isinstance(self.source, TableSource) else None

    def qualifiers(self) -> dict:
        """table name -> the qualifier its columns are read with in this SELECT."""
        out = {}
        if self.joins and self.base_table:
            out[self.base_table] = self.base_table
        for j in self.joins:
            out.setdefault(j.table, j.qualifier)
        return out


def output_name(item: Item) -> Optional[str]:
    expr, alias = item
    if alias:
        return alias
    return expr.name if isinstance(expr, Col) else None


def resolve(layer: Layer, name: str, available: Optional[Sequence[str]] = None) -> Expr:
    """The expression that gives output column `name` of `layer`, to filter or order on."""
    if layer.items is None:
        return Col(layer.base_table if layer.joins else None, name)
    for item in layer.items:
        if output_name(item) == name:
            return item[0]
    for expr, _ in layer.items:
        if isinstance(expr, Star):
            return Col(expr.qualifier, name)
    raise RelationUnknownColumnException(name, available)


def wrap(layer: Layer, items: Optional[Tuple[Item, ...]] = None) -> Layer:
    return Layer(source=layer, items=items)


def select(layer: Layer, names: Sequence[str]) -> Layer:
    if layer.limit is not None or layer.aggregated:
        return wrap(layer, tuple((Col(None, n), None) for n in names))
    items = []
    for n in names:
        expr = resolve(layer, n)
        items.append((expr, None if isinstance(expr, Col) and expr.name == n else n))
    return replace(layer, items=tuple(items))


def where(layer: Layer, cond: Union[RawCond, OpCond]) -> Layer:
    return replace(layer, where=layer.where + (cond,))


def aggregate(layer: Layer, func: str) -> Layer:
    """MAX/MIN of the single column of `layer` (a LIMIT is applied first, an ORDER BY dropped)."""
    if layer.limit is not None or layer.aggregated:
        name = output_name(layer.items[0]) if layer.items and len(layer.items) == 1 else None
        layer = wrap(layer, ((Col(None, name), None),) if name else None)
    if layer.items is None or len(layer.items) != 1 or isinstance(layer.items[0][0], Star):
        raise ValueError(
            f"{func.lower()}() requires a query with exactly one select expression."
            " Consider selecting the column you want to aggregate.")
    expr, alias = layer.items[0]
    return replace(layer, items=((Agg(func, expr), output_name((expr, alias))),), order=(), aggregated=True)


# --- SQL ---------------------------------------------------------------------------------------
def _expr_sql(r: Renderer, expr: Expr) -> str:
    if isinstance(expr, Col):
        return (r.ident(expr.qualifier) + "." if expr.qualifier else "") + r.ident(expr.name)
    if isinstance(expr, Star):
        return (r.ident(expr.qualifier) + "." if expr.qualifier else "") + "*"
    if isinstance(expr, Agg):
        return f"{expr.func}({_expr_sql(r, expr.arg)})"
    raise TypeError(f"unknown expression {expr!r}")


def _item_sql(r: Renderer, item: Item) -> str:
    expr, alias = item
    sql = _expr_sql(r, expr)
    if alias and not (isinstance(expr, Col) and expr.name == alias):
        sql += " AS " + r.ident(alias)
    return sql


def _cond_sql(r: Renderer, cond: Union[RawCond, OpCond]) -> str:
    if isinstance(cond, RawCond):
        return "(" + cond.sql + ("\n)" if "--" in cond.sql else ")")
    return "(" + r.condition(_expr_sql(r, cond.expr), cond.operator, cond.value) + ")"


def _star_sql(r: Renderer, layer: Layer, star: Star) -> str:
    """A table's `*` as the columns the dataset gives the table (all of them when it says none)."""
    table = None
    if isinstance(layer.source, TableSource):
        if star.qualifier is None:
            table = None if layer.joins else layer.source.name
        else:
            table = next((t for t, q in layer.qualifiers().items() if q == star.qualifier), None)
    names = r.star_columns(table) if table else None
    if not names:
        return _expr_sql(r, star)
    prefix = r.ident(star.qualifier) + "." if star.qualifier else ""
    return ", ".join(prefix + r.ident(n) for n in names)


def _subquery(text: str) -> str:
    return "(" + text + ("\n)" if "--" in text else ")")  # a trailing `-- comment` must not end it


def strip_sql(text: str) -> str:
    return text.strip().rstrip(";").rstrip()


def to_sql(layer: Layer, r: Renderer, pretty: bool = False, depth: int = 0) -> str:
    src = layer.source
    if isinstance(src, SqlSource) and layer.is_plain:
        return src.text
    nl = "\n" if pretty else " "
    if isinstance(src, TableSource):
        frm = r.table(src.name) + (" AS " + r.ident(src.name) if layer.joins else "")
    elif isinstance(src, SqlSource):
        frm = _subquery(strip_sql(src.text)) + " AS " + r.ident(f"_q_{depth}")
    else:
        frm = _subquery(to_sql(src, r, pretty, depth + 1)) + " AS " + r.ident(f"_q_{depth}")
    for j in layer.joins:
        on = " AND ".join(f"{r.ident(lq)}.{r.ident(lc)} = {r.ident(rq)}.{r.ident(rc)}" for lq, lc, rq, rc in j.on)
        frm += f"{nl}{JOIN_KINDS[j.kind]} {r.table(j.table)} AS {r.ident(j.qualifier)} ON {on}"
    items = layer.items if layer.items is not None else ((Star(None), None),)
    cols = ", ".join(_star_sql(r, layer, i[0]) if isinstance(i[0], Star) else _item_sql(r, i) for i in items)
    sql = f"SELECT {cols}{nl}FROM {frm}"
    if layer.where:
        sql += f"{nl}WHERE " + " AND ".join(_cond_sql(r, c) for c in layer.where)
    if layer.order:
        sql += f"{nl}ORDER BY " + ", ".join(_expr_sql(r, e) + (" DESC" if d else " ASC") for e, d in layer.order)
    if layer.limit is not None:
        sql += f"{nl}LIMIT {int(layer.limit)}"
    return sql


def lineage(layer: Layer, name: str) -> Optional[Tuple[str, str]]:
    """(table, column) an output column of `layer` is read from, when it is a column of a table."""
    try:
        expr = resolve(layer, name)
    except KeyError:
        return None
    if isinstance(expr, Agg):
        expr = expr.arg
    if not isinstance(expr, Col):
        return None
    src = layer.source
    if expr.qualifier is not None:
        for table, q in layer.qualifiers().items():
            if q == expr.qualifier:
                return table, expr.name
        return None
    if isinstance(src, TableSource):
        return src.name, expr.name
    if isinstance(src, Layer):
        return lineage(src, expr.name)
    return None


def names_in(items: Optional[Sequence[Item]]) -> List[str]:
    return [n for n in (output_name(i) for i in items or ()) if n]
