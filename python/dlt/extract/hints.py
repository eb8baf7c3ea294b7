"""Resource hints in dlt's spellings -> the options the engine takes."""

from typing import Any, Dict, List, Optional, Tuple

# What make_hints takes, as @dlt.resource and apply_hints name them.
HINT_KEYS = ("table_name", "parent_table_name", "write_disposition", "columns", "primary_key", "merge_key",
             "schema_contract", "table_format", "file_format", "incremental", "max_table_nesting", "nested_hints",
             "references")


class HintsMeta:
    """dlt.mark.with_hints: hints that update the resource (or, with create_table_variant, make
    a variant for the table they name) when the marked item is extracted."""

    __slots__ = ("hints", "create_table_variant")

    def __init__(self, hints: Optional[Dict[str, Any]], create_table_variant: bool) -> None:
        self.hints = hints
        self.create_table_variant = create_table_variant

    def __repr__(self) -> str:
        return f"HintsMeta({self.hints!r}, create_table_variant={self.create_table_variant})"


def make_hints(table_name: Any = None, parent_table_name: Any = None, write_disposition: Any = None,
               columns: Any = None, primary_key: Any = None, merge_key: Any = None, schema_contract: Any = None,
               table_format: Any = None, file_format: Any = None, additional_table_hints: Any = None,
               references: Any = None, incremental: Any = None, nested_hints: Any = None) -> Dict[str, Any]:
    """Resource hints for dlt.mark.with_hints, with the arguments of @dlt.resource; only those
    given are in the result. Hints must be values here (a function of the item is refused)."""
    given = dict(table_name=table_name, parent_table_name=parent_table_name, write_disposition=write_disposition,
                 columns=columns, primary_key=primary_key, merge_key=merge_key, schema_contract=schema_contract,
                 table_format=table_format, file_format=file_format, incremental=incremental,
                 nested_hints=nested_hints, references=references)
    out = {k: v for k, v in given.items() if v is not None}
    for k, v in out.items():
        if callable(v) and k != "incremental":
            raise ValueError(f"make_hints: `{k}` must be a value, not a function of the item "
                             "(use @dlt.resource(table_name=...) or apply_hints for dynamic hints)")
    if write_disposition is not None:
        write_disposition_name(write_disposition)
    if columns is not None:
        columns_list(columns)  # refuses a malformed `columns` here, where it was written
    if schema_contract is not None:
        schema_contract_dict(schema_contract)
    if nested_hints is not None:
        nested_hints_list(nested_hints)
    if references is not None:
        references_list(references)
    if additional_table_hints is not None:
        raise NotImplementedError("make_hints: `additional_table_hints` is not supported by this engine yet")
    return out


_REFERENCE_KEYS = ("columns", "referenced_table", "referenced_columns", "label", "cardinality", "table")
# dlt's TReferenceCardinality
CARDINALITIES = ("zero_to_one", "one_to_zero", "zero_to_many", "many_to_zero", "one_to_many", "many_to_one",
                 "one_to_one", "many_to_many")


def references_list(references: Any) -> List[Dict[str, Any]]:
    """dlt's `references` hint ([{"columns": [...], "referenced_table": ..., "referenced_columns":
    [...]}], optionally with label and cardinality) checked and as the engine takes it: a name
    may stand for a one-column list; a later reference to the same table replaces an earlier."""
    if callable(references):
        raise NotImplementedError("references: a function of the item is not supported by dlt-cpp; give the list")
    if isinstance(references, dict) or not isinstance(references, (list, tuple)):
        raise ValueError(f"references must be a list of dicts (columns, referenced_table, referenced_columns), "
                         f"got {type(references).__name__}")
    by_table: Dict[str, Dict[str, Any]] = {}
    for i, ref in enumerate(references):
        if not isinstance(ref, dict):
            raise ValueError(f"references[{i}] must be a dict, got {type(ref).__name__}")
        unknown = sorted(set(ref) - set(_REFERENCE_KEYS))
        if unknown:
            raise ValueError(f"references[{i}]: unknown key(s) {unknown}; a reference has {', '.join(_REFERENCE_KEYS)}")
        table = ref.get("referenced_table")
        if not isinstance(table, str) or not table:
            raise ValueError(f"references[{i}] needs `referenced_table`, the name of the table it refers to")
        out: Dict[str, Any] = {"referenced_table": table}
        for key in ("columns", "referenced_columns"):
            cols = ref.get(key)
            cols = [cols] if isinstance(cols, str) else cols
            if not isinstance(cols, (list, tuple)) or not cols or not all(isinstance(c, str) and c for c in cols):
                raise ValueError(f"references[{i}] (to `{table}`): `{key}` must be a column name or a list of them")
            out[key] = list(cols)
        if len(out["columns"]) != len(out["referenced_columns"]):
            raise ValueError(f"references[{i}] (to `{table}`): `columns` and `referenced_columns` must pair up, got "
                             f"{len(out['columns'])} and {len(out['referenced_columns'])} names")
        for key in ("label", "cardinality"):
            if ref.get(key) is not None:
                out[key] = str(ref[key])
        if out.get("cardinality") is not None and out["cardinality"] not in CARDINALITIES:
            raise ValueError(f"references[{i}] (to `{table}`): unknown cardinality `{out['cardinality']}`; dlt's are "
                             f"{', '.join(CARDINALITIES)}")
        by_table[table] = out
    return list(by_table.values())


def merge_references(existing: Any, new: Any) -> List[Dict[str, Any]]:
    """As dlt's apply_hints: references to a table replace the earlier ones to it."""
    merged = {r["referenced_table"]: r for r in references_list(existing or [])}
    merged.update({r["referenced_table"]: r for r in references_list(new)})
    return list(merged.values())


def make_nested_hints(**hints: Any) -> Dict[str, Any]:
    return make_hints(**hints)


def nested_hints_list(nested_hints: Any) -> List[Dict[str, Any]]:
    """dlt's nested_hints ({"purchases": {...}, ("purchases", "coupons"): {...}}) as the engine
    takes them: [{"path": [...], "columns": [...]}]. The engine applies their column hints (each
    with a data_type) to the nested tables; other hints are refused, naming them."""
    if not isinstance(nested_hints, dict):
        raise ValueError(f"nested_hints must be a dict of a nested field (or a tuple of fields) to its hints, "
                         f"got {type(nested_hints).__name__}")
    out = []
    for key, hints in nested_hints.items():
        path = [key] if isinstance(key, str) else list(key) if isinstance(key, tuple) else None
        if not path or not all(isinstance(p, str) and p for p in path):
            raise ValueError(f"nested_hints: the key {key!r} must be a field name or a tuple of field names")
        hints = dict(hints or {})
        other = sorted(k for k, v in hints.items() if v is not None and k != "columns")
        if other:
            raise NotImplementedError(f"nested_hints {key!r}: {', '.join(other)} of nested tables are not supported "
                                      "by this engine yet (dlt-cpp): give their `columns` (with data_type) only")
        columns = columns_list(hints.get("columns")) or []
        for c in columns:
            if not c.get("data_type"):
                raise NotImplementedError(f"nested_hints {key!r}: column `{c.get('name')}` needs a data_type here "
                                          "(dlt-cpp applies nested column hints that declare a type)")
        out.append({"path": path, "columns": [engine_column(c) for c in columns]})
    return out

_CONTRACT_MODES = ("evolve", "freeze", "discard_row", "discard_value")
_CONTRACT_KEYS = ("tables", "columns", "data_type")


# dlt's column hints the engine keeps in the schema as they are, without acting on them (they
# matter to destinations this engine does not load, or to the user: `description`).
_KEPT_HINTS = ("partition", "cluster", "sort", "description")


def engine_column(column: Dict[str, Any]) -> Dict[str, Any]:
    """A column hint as the engine takes it: the hints it keeps without acting on them
    (`partition`, `cluster`, `sort`, `description`, `x-...`) as JSON under `other_hints`."""
    other = {k: v for k, v in column.items() if k in _KEPT_HINTS or (isinstance(k, str) and k.startswith("x-"))}
    if not other:
        return column
    import json

    out = {k: v for k, v in column.items() if k not in other}
    out["other_hints"] = {k: json.dumps(v, default=str) for k, v in other.items()}
    return out


def columns_list(columns: Any) -> Optional[List[Dict[str, Any]]]:
    """`columns` as dlt takes it: {name: {data_type: ...}}, a list of column dicts, or None."""
    if columns is None:
        return None
    if isinstance(columns, type):
        from dlt.extract.validation import is_pydantic_model

        if not is_pydantic_model(columns):
            raise ValueError(f"`columns` must be a dict of column name -> column hints, a list of columns or a "
                             f"Pydantic model (a pydantic.BaseModel subclass), got the class {columns.__name__}")
        from dlt.common.libs.pydantic import pydantic_to_table_schema_columns

        return list(pydantic_to_table_schema_columns(columns).values())
    if isinstance(columns, dict):
        out = []
        for name, col in columns.items():
            c = dict(col or {})
            c.setdefault("name", name)
            out.append(c)
        return out
    if isinstance(columns, (list, tuple)):
        out = []
        for col in columns:
            if not isinstance(col, dict) or "name" not in col:
                raise ValueError(f"a column in `columns` must be a dict with a `name`, got {col!r}")
            out.append(dict(col))
        return out
    raise ValueError(f"`columns` must be a dict of column name -> column hints or a list of columns, got {type(columns).__name__}")


def _is_complete_column(col: Dict[str, Any]) -> bool:
    return bool(col.get("name")) and bool(col.get("data_type"))


def merge_columns_hint(existing: Any, new: Any) -> Any:
    """`columns` given to apply_hints on a resource that has columns already, merged as dlt's
    apply_hints does (dlt.common.schema.utils.merge_columns): each new column's properties update
    the existing column of its name (compound properties such as primary_key add up), new columns
    are appended; an incomplete column that becomes complete (gets a data_type) moves to the end.
    A function of the item (on either side) replaces; empty columns clear them."""
    if existing is None or callable(new) or (callable(existing) and not isinstance(existing, type)):
        return new
    if not new:
        return {}
    merged: Dict[str, Dict[str, Any]] = {c["name"]: dict(c) for c in columns_list(existing) or []}
    for col in columns_list(new) or []:
        name = col["name"]
        old = merged.get(name)
        if old is not None and _is_complete_column(col) and not _is_complete_column(old):
            merged.pop(name)
        if old is not None:
            old = dict(old)
            old.update(col)
            col = old
        merged[name] = col
    return merged


def _names(key: Any) -> List[str]:
    if not key:
        return []
    return [key] if isinstance(key, str) else [str(k) for k in key]


def apply_key_hints(cols: Optional[List[Dict[str, Any]]], primary_key: Any, merge_key: Any
                    ) -> Tuple[List[Dict[str, Any]], Any, Any]:
    """The column hints and the keys the engine takes, as dlt's _merge_keys makes the table: a
    direct `primary_key` / `merge_key` (given, even empty: "" or []) replaces the key flags of the
    column hints (dlt's remove_compound_props); an empty one leaves no key. Without a direct key
    the columns flagged `primary_key` / `merge_key` are the key (the engine applies the flags).
    Returns (columns, primary_key, merge_key); a key is None where the engine gets none."""
    cols = [dict(c) for c in cols or []]
    out = []
    for prop, direct in (("primary_key", primary_key), ("merge_key", merge_key)):
        if direct is not None:
            for c in cols:
                c.pop(prop, None)
            out.append(key_list(direct) if _names(direct) else None)
        else:
            out.append(None)
    return cols, out[0], out[1]


def schema_contract_dict(contract: Any) -> Optional[Dict[str, str]]:
    """"freeze" -> every kind freezes; a dict keeps what it names (the rest evolve)."""
    if contract is None:
        return None
    if isinstance(contract, str):
        if contract not in _CONTRACT_MODES:
            raise ValueError(f"schema_contract `{contract}` is not one of {', '.join(_CONTRACT_MODES)}")
        return {k: contract for k in _CONTRACT_KEYS}
    if isinstance(contract, dict):
        out = {}
        for k, v in contract.items():
            if k not in _CONTRACT_KEYS:
                raise ValueError(f"schema_contract key `{k}` is not one of {', '.join(_CONTRACT_KEYS)}")
            if v not in _CONTRACT_MODES:
                raise ValueError(f"schema_contract `{k}={v}` is not one of {', '.join(_CONTRACT_MODES)}")
            out[k] = v
        return out
    raise ValueError(f"schema_contract must be a mode name or a dict, got {type(contract).__name__}")


def key_list(key: Any) -> Any:
    """primary_key / merge_key: a name, a list of names, or None (kept as given: the engine
    tells a name from a one-element list, as dlt's hashing does)."""
    if key is None or isinstance(key, str):
        return key
    return [str(k) for k in key]


WRITE_DISPOSITIONS = ("append", "replace", "merge", "skip")


MERGE_STRATEGIES = ("delete-insert", "insert-only", "scd2", "upsert")
REPLACE_STRATEGIES = ("insert-from-staging", "staging-optimized", "truncate-and-insert")


def write_disposition_name(wd: Any) -> Optional[str]:
    """The disposition of dlt's `write_disposition` (a name or a dict with `disposition` and, for
    merge, `strategy` and the strategy's options), checked as dlt checks it."""
    if wd is None:
        return None
    if isinstance(wd, dict):
        strategy = wd.get("strategy")
        wd = wd.get("disposition")
        if wd == "merge" and strategy is not None:
            if strategy not in MERGE_STRATEGIES:
                raise ValueError(f"merge strategy `{strategy}` is not one of {', '.join(MERGE_STRATEGIES)}")
        elif wd == "replace" and strategy is not None and strategy not in REPLACE_STRATEGIES:
            raise ValueError(f"replace strategy `{strategy}` is not one of {', '.join(REPLACE_STRATEGIES)}")
    if wd not in WRITE_DISPOSITIONS:
        raise ValueError(f"write_disposition `{wd}` is not one of {', '.join(WRITE_DISPOSITIONS)}")
    return wd


def _timestamp_text(name: str, value: Any) -> str:
    """An scd2 timestamp option as ISO 8601 text (dlt takes datetimes, dates and strings)."""
    import datetime as _dt

    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"could not parse `{name}` value `{value}`") from None
        return value
    raise ValueError(f"could not parse `{name}` value `{value}`")


def merge_options(wd: Any) -> Optional[Dict[str, Any]]:
    """The merge strategy and its options of a merge `write_disposition` dict, as the engine takes
    them (None for other dispositions and for a plain "merge", which is delete-insert)."""
    if not isinstance(wd, dict) or wd.get("disposition") != "merge":
        return None
    strategy = wd.get("strategy") or "delete-insert"
    out: Dict[str, Any] = {"strategy": strategy}
    if wd.get("deduplicated"):
        out["deduplicated"] = True
    if strategy == "scd2":
        names = wd.get("validity_column_names")
        if names is not None:
            if isinstance(names, str) or len(names) != 2:
                raise ValueError("`validity_column_names` must be a list of two column names")
            out["validity_column_names"] = [str(n) for n in names]
        for ts in ("active_record_timestamp", "boundary_timestamp"):
            if wd.get(ts) is not None:
                out[ts] = _timestamp_text(ts, wd[ts])
        if "boundary_timestamp" in wd and wd["boundary_timestamp"] is None:
            # dlt: an explicit None unsets a boundary stored by an earlier run (the load package's
            # creation time applies again); passed on as None for the engine to tell it from absent
            out["boundary_timestamp"] = None
        if wd.get("row_version_column_name") is not None:
            out["row_version_column_name"] = str(wd["row_version_column_name"])
    return out
