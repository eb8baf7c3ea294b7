"""dlt.common.schema: the Schema object, as dlt's pipelines hand it out (`pipeline.default_schema`)
and as a source carries it (`source.schema`, `dlt.current.source_schema()`).

The engine keeps the schema (the stored schema of the pipeline, in dlt's format); this object is
a view of one snapshot of it: tables, columns, version and dlt's export forms. Its settings
(type detections, default hints, preferred types; _settings.py) may be edited: a source's go to
the engine when it runs.
"""

import copy
import json
from typing import Any, Dict, Iterator, List, Optional

from dlt.common.schema._settings import SchemaSettingsMixin, standard_settings


class Schema(SchemaSettingsMixin):
    def __init__(self, name: str, tables: Optional[Dict[str, Any]] = None, stored: Optional[Dict[str, Any]] = None) -> None:
        self.name = name
        self._stored: Dict[str, Any] = dict(stored or {"name": name, "tables": dict(tables or {})})
        self.tables: Dict[str, Any] = self._stored.setdefault("tables", {})
        if stored is None:
            self._stored["settings"] = standard_settings()
        self._initial_settings = copy.deepcopy(self._stored.get("settings", {}))

    @classmethod
    def from_dict(cls, stored: Dict[str, Any]) -> "Schema":
        return cls(stored.get("name", ""), stored=stored)

    @property
    def naming(self) -> Any:
        """The schema's naming convention (dlt's NamingConvention), as its normalizers name it."""
        from dlt.common.normalizers.naming.naming import naming_of

        names = (self._stored.get("normalizers") or {}).get("names") or "snake_case"
        return naming_of(str(names))

    @property
    def version(self) -> int:
        return int(self._stored.get("version", 0))

    @property
    def version_hash(self) -> Optional[str]:
        return self._stored.get("version_hash")

    @property
    def stored_version(self) -> int:
        return self.version

    @property
    def engine_version(self) -> int:
        return int(self._stored.get("engine_version", 0))

    def get_table(self, table_name: str) -> Dict[str, Any]:
        """The table's schema; dlt's TableNotFound (a KeyError) when the schema has no such table."""
        try:
            return self.tables[table_name]
        except KeyError:
            from dlt.common.schema.exceptions import TableNotFound

            raise TableNotFound(self.name, table_name) from None

    def get_table_columns(self, table_name: str, include_incomplete: bool = False) -> Dict[str, Any]:
        cols = self.tables[table_name].get("columns", {})
        if include_incomplete:
            return dict(cols)
        return {n: c for n, c in cols.items() if c.get("data_type") is not None}

    def data_tables(self, seen_data_only: bool = False, include_incomplete: bool = False) -> List[Dict[str, Any]]:
        """The tables that hold data: not dlt's own (_dlt_*), with columns unless incomplete ones
        are asked for."""
        out = []
        for name, t in self.tables.items():
            if name.startswith("_dlt"):
                continue
            if not include_incomplete and not self.get_table_columns(name):
                continue
            out.append(t)
        return out

    def dlt_tables(self) -> List[Dict[str, Any]]:
        return [t for n, t in self.tables.items() if n.startswith("_dlt")]

    def data_table_names(self, seen_data_only: bool = False, include_incomplete: bool = False) -> List[str]:
        return [t["name"] for t in self.data_tables(seen_data_only, include_incomplete)]

    def dlt_table_names(self) -> List[str]:
        return [t["name"] for t in self.dlt_tables()]

    def to_dict(self, remove_defaults: bool = False, bump_version: bool = True) -> Dict[str, Any]:
        return json.loads(json.dumps(self._stored))

    def to_pretty_json(self, remove_defaults: bool = True) -> str:
        return json.dumps(self._stored, indent=2)

    def to_pretty_yaml(self, remove_defaults: bool = True) -> str:
        out: List[str] = []
        _yaml(out, self._stored, 0)
        return "".join(out)

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def __repr__(self) -> str:
        return f"Schema {self.name} at {id(self)}"

    def __str__(self) -> str:
        return f"Schema {self.name} with {len(self.tables)} tables"


def _scalar(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    s = str(v)
    plain = s and s.strip() == s and not any(c in s for c in ":#{}[],&*!|>'\"%@`\n") and \
        s.lower() not in ("null", "true", "false", "yes", "no", "~") and not s[0].isdigit() and s[0] not in "-?"
    return s if plain else json.dumps(s)


def _yaml(out: List[str], v: Any, indent: int) -> None:
    pad = "  " * indent
    if isinstance(v, dict):
        if not v:
            out.append(pad + "{}\n")
        for k, x in v.items():
            if isinstance(x, (dict, list)) and x:
                out.append(f"{pad}{_scalar(k)}:\n")
                _yaml(out, x, indent + 1)
            else:
                out.append(f"{pad}{_scalar(k)}: {_scalar(x) if not isinstance(x, (dict, list)) else ('{}' if isinstance(x, dict) else '[]')}\n")
    elif isinstance(v, list):
        for x in v:
            if isinstance(x, (dict, list)) and x:
                lines: List[str] = []
                _yaml(lines, x, indent + 1)
                first = lines[0][len(pad) + 2:]
                out.append(f"{pad}- {first}")
                out.extend(lines[1:])
            else:
                out.append(f"{pad}- {_scalar(x) if not isinstance(x, (dict, list)) else ('{}' if isinstance(x, dict) else '[]')}\n")
    else:
        out.append(pad + _scalar(v) + "\n")


TSchemaContract = Any
TColumnSchema = Dict[str, Any]
TTableSchemaColumns = Dict[str, Dict[str, Any]]

# dlt exports the table's typed dict here too (`from dlt.common.schema import TTableSchema`,
# as its custom destination docs write it)
from dlt.common.schema.typing import TSchemaTables, TTableSchema  # noqa: E402
