"""Joins along dlt's schema references: the references a schema's tables make (nested table ->
parent, nested table -> root with a root key, table -> _dlt_loads, _dlt_version -> _dlt_loads and
the `references` hints of tables) and the chain of them between two tables, as dlt 1.26 resolves
it: a direct reference first, else the walk up or down the parent/child chain."""

from dataclasses import replace
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

from dlt.dataset.query import Col, Join, Layer, OpCond, Star

INTERMEDIATE_ALIAS_PREFIX = "_dlt_int_t"


class Step(NamedTuple):
    target: str
    pairs: Tuple[Tuple[str, str], ...]  # (column on the side already joined, column of target)


def _first_column_with(table: Dict[str, Any], prop: str, fallback: str) -> Optional[str]:
    columns = table.get("columns", {})
    for name, col in columns.items():
        if col.get(prop):
            return name
    return fallback if fallback in columns else None


def _root_of(tables: Dict[str, Any], name: str) -> str:
    seen = set()
    while tables[name].get("parent") in tables and name not in seen:
        seen.add(name)
        name = tables[name]["parent"]
    return name


def _ref(table: str, columns: Sequence[str], referenced_table: str, referenced_columns: Sequence[str]) -> Dict[str, Any]:
    return {"table": table, "columns": list(columns), "referenced_table": referenced_table,
            "referenced_columns": list(referenced_columns)}


def _parent_ref(tables: Dict[str, Any], name: str) -> Optional[Dict[str, Any]]:
    parent = tables[name].get("parent")
    if not parent or parent not in tables:
        return None
    parent_key = _first_column_with(tables[name], "parent_key", "_dlt_parent_id")
    row_key = _first_column_with(tables[parent], "row_key", "_dlt_id")
    return _ref(name, [parent_key], parent, [row_key]) if parent_key and row_key else None


def references(tables: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The schema's references in dlt's order (Schema.references)."""
    out: List[Dict[str, Any]] = []
    for name, table in tables.items():
        parent_ref = _parent_ref(tables, name)
        if parent_ref:
            out.append(parent_ref)
        if table.get("parent"):
            root = _root_of(tables, name)
            root_key = _first_column_with(table, "root_key", "_dlt_root_id")
            row_key = _first_column_with(tables[root], "row_key", "_dlt_id")
            if root != name and root_key and row_key:
                out.append(_ref(name, [root_key], root, [row_key]))
        if "_dlt_load_id" in table.get("columns", {}):
            out.append(_ref(name, ["_dlt_load_id"], "_dlt_loads", ["load_id"]))
        for ref in table.get("references") or []:
            r = dict(ref)
            if r.get("table") is None:
                r["table"] = name
            out.append(r)
    if "_dlt_version" in tables and "_dlt_loads" in tables:
        out.append(_ref("_dlt_version", ["version_hash"], "_dlt_loads", ["schema_version_hash"]))
        out.append(_ref("_dlt_version", ["schema_name"], "_dlt_loads", ["schema_name"]))
    return out


def _step(ref: Dict[str, Any], from_table: str) -> Step:
    columns, referenced = list(ref.get("columns") or []), list(ref.get("referenced_columns") or [])
    if not columns or len(columns) != len(referenced):
        raise ValueError(f"Malformed table reference for join: {ref} - 'columns' or 'referenced_columns' are empty")
    if from_table == ref["table"]:
        return Step(ref["referenced_table"], tuple(zip(columns, referenced)))
    if from_table == ref["referenced_table"]:
        return Step(ref["table"], tuple(zip(referenced, columns)))
    raise ValueError(f"Malformed table reference for join: {ref} - table `{from_table}` is not connected")


def _parent_refs_to_root(tables: Dict[str, Any], name: str) -> List[Dict[str, Any]]:
    out = []
    while (ref := _parent_ref(tables, name)) is not None and len(out) < len(tables):
        out.append(ref)
        name = ref["referenced_table"]
    return out


def reference_chain(tables: Dict[str, Any], left: str, right: str) -> List[Step]:
    """The joins that lead from table `left` to table `right`."""
    if left == right:
        raise ValueError(f"Cannot join a table to itself: {left}")
    for ref in references(tables):
        if {ref.get("table"), ref.get("referenced_table")} == {left, right}:
            return [_step(ref, left)]
    current, steps = left, []
    for ref in _parent_refs_to_root(tables, left):  # right is an ancestor of left
        steps.append(_step(ref, current))
        current = steps[-1].target
        if current == right:
            return steps
    up_from_right = _parent_refs_to_root(tables, right)
    index = next((i for i, ref in enumerate(up_from_right) if ref["referenced_table"] == left), None)
    if index is not None:  # left is an ancestor of right
        current, steps = left, []
        for ref in reversed(up_from_right[: index + 1]):
            steps.append(_step(ref, current))
            current = steps[-1].target
        if current == right:
            return steps
    raise ValueError(f"Unable to resolve reference chain between {left} and {right}")


def _qualified(expr: Any, qualifier: str) -> Any:
    if isinstance(expr, Col) and expr.qualifier is None:
        return Col(qualifier, expr.name)
    if isinstance(expr, Star) and expr.qualifier is None:
        return Star(qualifier)
    return expr


def add_joins(layer: Layer, tables: Dict[str, Any], right: str, kind: str) -> Tuple[Layer, str, bool]:
    """`layer` with the joins that reach table `right` from its base table (those already there
    are kept), its columns qualified with the base table; the qualifier of `right` and whether
    any join was added."""
    left = layer.base_table
    for name in (left, right):
        if name not in tables:
            raise ValueError(f"Table `{name}` not found in dataset schema")
    steps = reference_chain(tables, left, right)
    qualifiers = {left: left}
    qualifiers.update({j.table: j.qualifier for j in layer.joins})
    attach = qualifiers[left]
    for st in steps:
        if st.target in qualifiers:
            attach = qualifiers[st.target]
    pending = [st for st in steps if st.target not in qualifiers]
    used = [int(q[len(INTERMEDIATE_ALIAS_PREFIX):]) for q in qualifiers.values()
            if q.startswith(INTERMEDIATE_ALIAS_PREFIX) and q[len(INTERMEDIATE_ALIAS_PREFIX):].isdigit()]
    index = max(used, default=0) + 1
    joins = list(layer.joins)
    for st in pending:
        q = st.target
        if st.target != pending[-1].target:
            q, index = f"{INTERMEDIATE_ALIAS_PREFIX}{index}", index + 1
        joins.append(Join(kind, st.target, q, tuple((attach, a, q, b) for a, b in st.pairs)))
        qualifiers[st.target] = q
        attach = q
    items = layer.items if layer.items is not None else ((Star(None), None),)
    joined = replace(
        layer,
        items=tuple((_qualified(e, left), a) for e, a in items),
        joins=tuple(joins),
        where=tuple(OpCond(_qualified(c.expr, left), c.operator, c.value) if isinstance(c, OpCond) else c
                    for c in layer.where),
        order=tuple((_qualified(e, left), d) for e, d in layer.order),
    )
    return joined, qualifiers[right], bool(pending)


def root_table(tables: Dict[str, Any], name: str) -> str:
    return _root_of(tables, name)
