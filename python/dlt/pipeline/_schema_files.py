"""`dlt.pipeline(import_schema_path=..., export_schema_path=...)`: the schema files of dlt's
"adjust a schema" walkthrough.

- Export: after each extract, normalize, load and run, every schema of the pipeline is written to
  `<export_schema_path>/<schema>.schema.yaml` (`external_schema_format = "json"`: `.schema.json`),
  as dlt writes it (table and column names left out of their values). After an extract it is the
  stored schema with the tables and columns the extracted resources declare.
- Import: the first extract into a schema writes `<import_schema_path>/<schema>.schema.yaml` when
  it is not there: the stored schema (none on a first run) with the resources' declared tables,
  columns and hints, without processing hints (`x-normalizer`, ...). From then on the file is the
  user's: on every extract, the columns it gives a resource's table go to the engine as that
  resource's column hints (the resource's own `columns` win), so an edited `data_type`, `nullable`,
  key or precision, or a `json` type that keeps a dict unflattened, takes effect as dlt's import does.

The engine keeps the stored schema itself, so what a column hint cannot carry is refused with
NotImplementedError naming it (rather than ignored): a changed table-level property (write
disposition, ...), column properties the engine does not take (`partition`, `cluster`, ...),
columns of nested tables, schema settings other than detections, default_hints and
preferred_types (which go to the engine with the resources, as a source's settings do) and
normalizers.
"""

import copy
import json
import os
from typing import Any, Dict, List, Optional

# The schema settings the engine sets in the stored schema (normalize/schema_settings.h).
_ENGINE_SETTINGS = ("detections", "default_hints", "preferred_types")

# The column properties the engine takes as resource column hints.
_COLUMN_HINTS = ("data_type", "nullable", "primary_key", "merge_key", "unique", "precision", "scale", "hard_delete",
                 "dedup_sort", "timezone")


def _is_dlt(name: str) -> bool:
    return name.startswith("_dlt")


def _table_options(item: Any) -> Optional[Dict[str, Any]]:
    """The engine options of a resource of the run that writes one table: a Python resource
    (options, opener) or a file reader (reader, list_files, options); None for the others (a
    table per item, REST API and SQL sources)."""
    if len(item) == 2 and isinstance(item[0], dict) and "table_name" in item[0]:
        return item[0]
    if len(item) == 3 and not isinstance(item[0], dict) and isinstance(item[2], dict) and "table_name" in item[2]:
        return item[2]
    return None


def _no_processing_hints(schema: Dict[str, Any]) -> Dict[str, Any]:
    out = copy.deepcopy(schema)
    for table in out.get("tables", {}).values():
        for key in [k for k in table if k.startswith("x-")]:
            del table[key]
        for col in table.get("columns", {}).values():
            for key in [k for k in col if k.startswith("x-")]:
                del col[key]
    return out


def _without_names(schema: Dict[str, Any]) -> Dict[str, Any]:
    """dlt's remove_defaults: table and column names are the keys, not repeated in the values."""
    out = copy.deepcopy(schema)
    for table in out.get("tables", {}).values():
        table.pop("name", None)
        for col in table.get("columns", {}).values():
            col.pop("name", None)
    return out


class SchemaFiles:
    def __init__(self, import_path: Optional[str], export_path: Optional[str], fmt: str = "yaml") -> None:
        if fmt not in ("yaml", "json"):
            raise NotImplementedError(f"external_schema_format `{fmt}`: dlt-cpp reads and writes schema files as "
                                      "yaml or json")
        self.import_path = os.path.abspath(import_path) if import_path else None
        self.export_path = os.path.abspath(export_path) if export_path else None
        self.fmt = fmt
        self._pending: Dict[str, Dict[str, Any]] = {}  # schema -> what the extract being run declares

    # --- files ----------------------------------------------------------------------------------
    def _file(self, folder: str, schema_name: str) -> str:
        return os.path.join(folder, f"{schema_name}.schema.{self.fmt}")

    def _write(self, folder: str, schema: Dict[str, Any]) -> None:
        os.makedirs(folder, exist_ok=True)
        stored = _without_names(schema)
        if self.fmt == "json":
            text = json.dumps(stored, indent=2)
        else:
            try:
                import yaml

                text = yaml.dump(stored, allow_unicode=True, default_flow_style=False, sort_keys=False)
            except ImportError:  # dlt's layout, written without the yaml package
                from dlt.common.schema import Schema

                text = Schema.from_dict(stored).to_pretty_yaml()
        path = self._file(folder, schema["name"])
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(path + ".tmp", path)

    def _read_import(self, schema_name: str) -> Optional[Dict[str, Any]]:
        if not self.import_path:
            return None
        path = self._file(self.import_path, schema_name)
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError:
            return None
        if self.fmt == "json":
            data = json.loads(text)
        else:
            try:
                import yaml
            except ImportError:
                from dlt.common.exceptions import MissingDependencyException

                raise MissingDependencyException("import_schema_path", ["pyyaml"],
                                                 "install Debian's python3-yaml to read YAML schema files") from None
            data = yaml.safe_load(text)
        if not isinstance(data, dict):
            raise ValueError(f"{path}: a schema file must hold a mapping with `name` and `tables`")
        if data.get("name", schema_name) != schema_name:
            raise ValueError(f"{path}: the file holds schema `{data.get('name')}`, expected `{schema_name}`")
        data.setdefault("name", schema_name)
        for name, table in (data.get("tables") or {}).items():
            table.setdefault("name", name)
            for col_name, col in (table.get("columns") or {}).items():
                col.setdefault("name", col_name)
        return data

    # --- the steps ----------------------------------------------------------------------------
    def prepare(self, pipeline: Any, resources: List[Any], extracting: Dict[str, Any]) -> None:
        """Before an extract: what its resources declare (for the files written afterwards), and
        the import file's columns as the resources' column hints."""
        if not resources:
            return
        text = pipeline._native.schema_json(pipeline._run_schema or "")
        stored = json.loads(text) if text else {}
        schema_name = stored.get("name") or pipeline._run_schema or pipeline.default_schema_name or \
            pipeline.pipeline_name
        declared = _declared(schema_name, stored, resources)
        self._pending[schema_name] = declared
        imported = self._read_import(schema_name)
        if imported is None:
            return
        by_table: Dict[str, List[Dict[str, Any]]] = {}
        for item in resources:
            opts = _table_options(item)
            if opts is not None:
                by_table.setdefault(opts["table_name"], []).append(opts)
        baseline = _no_processing_hints(declared)
        _refuse_unsupported(imported, baseline, stored, by_table, extracting, self._file(self.import_path, schema_name))
        for table_name, table in (imported.get("tables") or {}).items():
            if _is_dlt(table_name):
                continue
            for opts in by_table.get(table_name, []):
                opts["columns"] = _merged_columns(table.get("columns") or {}, opts.get("columns") or [])
        # the file's type detections, default hints and preferred types go to the engine with the
        # resources on every extract (in place of their source's), and replace the stored ones
        settings = imported.get("settings")
        if isinstance(settings, dict):
            wanted = {k: v for k, v in settings.items() if k in _ENGINE_SETTINGS}
            if wanted:
                text = json.dumps(wanted)
                for opts_list in by_table.values():
                    for opts in opts_list:
                        opts["schema_settings"] = text

    def after(self, pipeline: Any, step: str) -> None:
        """After a step that succeeded: the import file of a schema that has none, and the export."""
        pending, self._pending = self._pending, {}
        if self.import_path:
            for name, declared in pending.items():
                if not os.path.exists(self._file(self.import_path, name)):
                    self._write(self.import_path, _no_processing_hints(declared))
        if not self.export_path:
            return
        for name, schema in pipeline.schemas.items():
            stored = schema.to_dict()
            self._write(self.export_path, stored if step != "extract" or name not in pending else pending[name])
        for name, declared in pending.items():
            if name not in pipeline.schemas:
                self._write(self.export_path, declared)


def _declared(schema_name: str, stored: Dict[str, Any], resources: List[Any]) -> Dict[str, Any]:
    """The stored schema with the tables and columns the resources being extracted declare."""
    out = copy.deepcopy(stored) if stored else {"name": schema_name, "tables": {}}
    out["name"] = schema_name
    tables = out.setdefault("tables", {})
    for item in resources:
        opts = _table_options(item)
        if opts is None:
            continue  # a table per item (dynamic table names) is known only once the rows are read
        name = opts["table_name"]
        table = tables.setdefault(name, {"name": name, "columns": {}})
        table.setdefault("columns", {})
        table["write_disposition"] = opts.get("write_disposition", table.get("write_disposition", "append"))
        table.setdefault("resource", opts.get("name", name))
        for col in opts.get("columns") or []:
            table["columns"].setdefault(col["name"], {"name": col["name"]}).update(
                {k: v for k, v in col.items() if k in _COLUMN_HINTS or k == "name"})
        for key, flag in (("primary_key", "primary_key"), ("merge_key", "merge_key")):
            keys = opts.get(key)
            for k in ([keys] if isinstance(keys, str) else keys or []):
                table["columns"].setdefault(k, {"name": k}).update({flag: True, "nullable": False})
    return out


def _merged_columns(imported: Dict[str, Any], own: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The import file's columns (in its order) updated by the resource's own column hints."""
    out: Dict[str, Dict[str, Any]] = {}
    for name, col in imported.items():
        if not _is_dlt(name):
            out[name] = {"name": name, **{k: v for k, v in col.items() if k in _COLUMN_HINTS}}
    for col in own:
        out.setdefault(col["name"], {"name": col["name"]}).update(col)
    return list(out.values())


def _refuse_unsupported(imported: Dict[str, Any], baseline: Dict[str, Any], stored: Dict[str, Any],
                        by_table: Dict[str, Any], extracting: Dict[str, Any], path: str) -> None:
    """NotImplementedError for an edit of the import file the engine cannot take as column hints.
    As in dlt, a resource's own hints (its write disposition, its columns) win over the file's."""
    def refuse(what: str) -> None:
        raise NotImplementedError(f"{path}: {what} cannot be imported by dlt-cpp, whose engine keeps the stored "
                                  "schema itself: only the columns of a resource's table are passed on (as column "
                                  "hints: " + ", ".join(_COLUMN_HINTS) + "). Set it on the resource (apply_hints, "
                                  "columns=) or undo the edit")

    def other_settings(s: Any) -> Any:
        return {k: v for k, v in s.items() if k not in _ENGINE_SETTINGS} if isinstance(s, dict) else s

    if "settings" in imported and stored.get("settings") is not None and \
            other_settings(imported["settings"]) != other_settings(stored["settings"]):
        refuse("a changed `settings` entry other than detections, default_hints and preferred_types")
    if "normalizers" in imported and stored.get("normalizers") is not None and imported["normalizers"] != stored["normalizers"]:
        refuse("a changed `normalizers`")
    known = baseline.get("tables", {})
    stored_tables = stored.get("tables", {}) if stored else {}
    for table_name, table in (imported.get("tables") or {}).items():
        if _is_dlt(table_name):
            continue
        base, kept = known.get(table_name, {}), stored_tables.get(table_name, {})
        for key, value in table.items():
            if key in ("name", "columns", "write_disposition", "resource", "schema_contract") or key.startswith("x-"):
                continue
            if table_name in known and kept.get(key) != value:
                refuse(f"the table property `{key}: {value}` of table `{table_name}`")
        base_cols = base.get("columns", {})
        for col_name, col in (table.get("columns") or {}).items():
            if _is_dlt(col_name):
                continue
            base_col = base_cols.get(col_name, {})
            changed = {k: v for k, v in col.items() if k != "name" and not k.startswith("x-") and base_col.get(k) != v}
            if not changed:
                continue
            other = sorted(k for k in changed if k not in _COLUMN_HINTS)
            if other:
                refuse(f"the column propert{'ies' if len(other) > 1 else 'y'} {', '.join(other)} of "
                       f"`{table_name}.{col_name}`")
            if table.get("parent") or base.get("parent"):
                refuse(f"a column of the nested table `{table_name}` (`{col_name}`)")
            if table_name not in by_table and table_name in extracting:
                refuse(f"a column of `{table_name}`, read by the engine's own source (not a Python resource),")
