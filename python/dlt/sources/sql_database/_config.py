"""The arguments of sql_database and sql_table that were not passed, read from the configuration
as dlt injects them (advanced.md, "Configuring with TOML or environment variables": every argument
but the adapter callbacks).

dlt's layout, each path first under the active pipeline's name:
  sql_database(...):            sources.<section>.<arg>, sources.<arg>, <arg>
  a table of it (dlt's sql_table called by the source, with what the source does not pass:
  incremental, included_columns, excluded_columns, write_disposition, primary_key, merge_key):
                                sources.<section>.<table>.<arg>, then as above
  sql_table(...):               all its arguments the same way as a table of the source
where <section> is "sql_database" unless sql_database.clone(section=...) names another. An
incremental is read field by field (sources.sql_database.chat_message.incremental.cursor_path).
A value of the wrong type raises ValueError naming the argument, as dlt's configuration does.
"""

import inspect
import json
from typing import Any, Dict, FrozenSet, Optional, Tuple

# How each argument's value is read: the kind of value it must be.
_STR, _INT, _BOOL, _LIST, _DICT, _COLUMNS, _DISPOSITION, _INCREMENTAL = (
    "str", "int", "bool", "list", "dict", "columns", "disposition", "incremental")

# sql_database's own arguments dlt reads from the configuration (credentials: the engine reads
# them, sources.<section>.credentials, when not passed).
SOURCE_ARGS: Dict[str, str] = {
    "schema": _STR, "table_names": _LIST, "chunk_size": _INT, "backend": _STR, "detect_precision_hints": _BOOL,
    "reflection_level": _STR, "defer_table_reflect": _BOOL, "include_views": _BOOL, "resolve_foreign_keys": _BOOL,
    "backend_kwargs": _DICT, "engine_kwargs": _DICT,
}

# What sql_database does not pass to the sql_table of each table: read from the table's section.
TABLE_ARGS: Dict[str, str] = {
    "incremental": _INCREMENTAL, "included_columns": _LIST, "excluded_columns": _LIST,
    "write_disposition": _DISPOSITION, "primary_key": _COLUMNS, "merge_key": _COLUMNS,
}

# sql_table's arguments (credentials: see table_credentials).
SQL_TABLE_ARGS: Dict[str, str] = dict(
    {"table": _STR, "schema": _STR, "chunk_size": _INT, "backend": _STR, "detect_precision_hints": _BOOL,
     "reflection_level": _STR, "defer_table_reflect": _BOOL, "resolve_foreign_keys": _BOOL, "backend_kwargs": _DICT,
     "engine_kwargs": _DICT},
    **TABLE_ARGS)


def _json(value: str) -> Any:
    s = value.strip()
    if s[:1] in ("[", "{") and s[-1:] in ("]", "}"):
        try:
            return json.loads(s)
        except ValueError:
            pass
    return value


def _convert(value: Any, kind: str, where: str) -> Any:
    """`value` found at `where` as the argument's kind (text from an environment variable parsed,
    as dlt coerces it); a value that is not of the kind raises ValueError naming `where`."""
    def bad(what: str) -> ValueError:
        return ValueError(f"sql_database: the configuration value {where} must be {what}, got {value!r}")

    if kind == _STR:
        if isinstance(value, (dict, list)):
            raise bad("text")
        return str(value)
    if kind == _INT:
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                raise bad("an integer") from None
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad("an integer")
        return value
    if kind == _BOOL:
        if isinstance(value, str):
            low = value.strip().lower()
            if low in ("true", "1", "yes", "on"):
                return True
            if low in ("false", "0", "no", "off"):
                return False
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if kind == _LIST:
        if isinstance(value, str):
            value = _json(value)
            if isinstance(value, str):
                return [value]  # one name
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad("a list of names")
        return value
    if kind == _DICT:
        if isinstance(value, str):
            value = _json(value)
        if not isinstance(value, dict):
            raise bad("a table (dict)")
        return value
    if kind == _COLUMNS:
        if isinstance(value, str):
            value = _json(value)
        if isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return value
        raise bad("a column name or a list of them")
    if kind == _DISPOSITION:
        if isinstance(value, str):
            value = _json(value)
        if not isinstance(value, (str, dict)):
            raise bad("append, replace, merge or a table with `disposition`")
        return value
    return value


def _lookup(key: str, kind: str, section: str, name: str) -> Tuple[bool, Any]:
    """(found, value) of argument `key` in dlt's sections for `name` (the source's name, or a
    table's) under sources.<section>."""
    from dlt.common.configuration.accessors import lookup_argument

    if kind == _INCREMENTAL:
        from dlt.extract.incremental import Incremental

        annotation: Any = Optional[Incremental]
    else:
        annotation = Any
    param = inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)
    found, value, _tried = lookup_argument(_lookup, param, section=section, source_name=name)
    if not found or value is None:
        return False, None
    if kind == _INCREMENTAL:
        return True, value
    return True, _convert(value, kind, f"`{key}` (of `{name}` under sources.{section})")


def with_config(args: Dict[str, Any], explicit: FrozenSet[str], kinds: Dict[str, str], section: str,
                name: str) -> Dict[str, Any]:
    """`args` with each argument of `kinds` that is not in `explicit` read from the configuration
    where it is set there (else its default stays). A `dlt.config.value` default not set becomes
    None."""
    from dlt.common.configuration.accessors import is_sentinel

    out = dict(args)
    for key, kind in kinds.items():
        if key in explicit:
            continue
        found, value = _lookup(key, kind, section, name)
        if found:
            out[key] = value
        elif is_sentinel(out.get(key)) or key not in out:
            out[key] = None
    return out


def table_credentials(section: str, table: str) -> Any:
    """sql_table's credentials where the table's own section sets them
    (sources.<section>.<table>.credentials, first under the pipeline's name), else None: the
    engine then reads sources.<section>.credentials."""
    from dlt import _engine
    from dlt.pipeline import current

    pipeline_name = current.pipeline_name_or_none()
    path = ["sources", section, table, "credentials"]
    ws = _engine.workspace()
    for p in ([[pipeline_name] + path] if pipeline_name else []) + [path]:
        found, value, _origin, _places = ws.lookup(p, True, False)
        if found and value is not None:
            return value
    return None
