"""Resource hints in dlt's spellings -> the options the engine takes."""

from typing import Any, Dict, List, Optional

_CONTRACT_MODES = ("evolve", "freeze", "discard_row", "discard_value")
_CONTRACT_KEYS = ("tables", "columns", "data_type")


def columns_list(columns: Any) -> Optional[List[Dict[str, Any]]]:
    """`columns` as dlt takes it: {name: {data_type: ...}}, a list of column dicts, or None."""
    if columns is None:
        return None
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


def write_disposition_name(wd: Any) -> Optional[str]:
    if wd is None:
        return None
    if isinstance(wd, dict):
        wd = wd.get("disposition")
    if wd not in WRITE_DISPOSITIONS:
        raise ValueError(f"write_disposition `{wd}` is not one of {', '.join(WRITE_DISPOSITIONS)}")
    return wd
