"""dlt's schema settings on a Schema object: type detections, default (column) hints and
preferred types, edited as dlt's documentation does it:

    source = my_source()
    source.schema.add_type_detection("iso_date")
    source.schema.merge_hints({"partition": ["re:_date$"], "not_null": ["id"]})
    source.schema.update_preferred_types({"re:^amount": "decimal"})

(or through `dlt.current.source_schema()` inside the source function). As in dlt, a source's
schema settings replace the stored schema's each time the source runs (a source that edits
nothing brings dlt's defaults); a Schema given as `run(schema=...)` brings its own; resources run
alone keep the stored settings, and edits of `pipeline.default_schema` go with the next run of
resources alone. The engine checks every edit (unknown detections, hints or types, regexes it
cannot compile: its regexes are ECMAScript's, searched in the column name) and applies the
settings to every new column of JSON/dict rows.
"""

import copy
import json
import re
from typing import Any, Dict, List, Mapping, Optional, Sequence

# dlt's defaults: utils.standard_type_detections() and utils.default_hints()
STANDARD_DETECTIONS = ["iso_timestamp"]
STANDARD_HINTS: Dict[str, List[str]] = {
    "not_null": ["_dlt_id", "_dlt_root_id", "_dlt_parent_id", "_dlt_list_idx", "_dlt_load_id"],
    "parent_key": ["_dlt_parent_id"],
    "root_key": ["_dlt_root_id"],
    "unique": ["_dlt_id"],
    "row_key": ["_dlt_id"],
}
DETECTIONS = ("timestamp", "iso_timestamp", "iso_date", "large_integer", "hexbytes_to_text", "wei_to_double")
DEFAULT_HINTS = ("not_null", "nullable", "partition", "cluster", "primary_key", "sort", "unique", "merge_key",
                 "row_key", "parent_key", "root_key", "hard_delete", "dedup_sort")


def standard_settings() -> Dict[str, Any]:
    return {"detections": list(STANDARD_DETECTIONS), "default_hints": copy.deepcopy(STANDARD_HINTS)}


def _check(schema_name: str, fragment: Dict[str, Any]) -> None:
    """SchemaException with the engine's message when it refuses `fragment` (a settings object)."""
    from dlt import _engine
    from dlt.common.schema.exceptions import SchemaException

    error = _engine.native.schema_settings_error(json.dumps(fragment))
    if error:
        raise SchemaException(schema_name, error)


class SchemaSettingsMixin:
    """Schema's settings methods; the class keeps its stored document in `self._stored`."""

    name: str
    _stored: Dict[str, Any]
    _initial_settings: Dict[str, Any]

    @property
    def settings(self) -> Dict[str, Any]:
        return self._stored.setdefault("settings", {})

    def add_type_detection(self, detection: str) -> None:
        """Adds a type autodetection (dlt's TTypeDetections) to the schema."""
        if detection not in DETECTIONS:
            raise ValueError(f"unknown type detection {detection!r}; dlt's are {', '.join(DETECTIONS)}")
        if detection == "hexbytes_to_text":
            raise NotImplementedError("the hexbytes_to_text detection: HexBytes values are stored as binary here")
        detections = self.settings.setdefault("detections", [])
        if detection not in detections:
            detections.append(detection)

    def remove_type_detection(self, detection: str) -> None:
        """Removes a type autodetection from the schema (e.g. dlt's default `iso_timestamp`)."""
        detections = self.settings.setdefault("detections", [])
        if detection in detections:
            detections.remove(detection)

    def merge_hints(self, new_hints: Mapping[str, Sequence[str]], replace: bool = False,
                    normalize_identifiers: bool = True) -> None:
        """Adds (or with `replace`, sets) default hints: {hint: [column name or `re:` regex]};
        a new column whose name matches gets the hint (`not_null`, `partition`, `cluster`,
        `primary_key`, `unique`, `sort`, ...). Column names are normalized by the engine."""
        from dlt.common.schema.exceptions import SchemaException

        for hint, regexes in new_hints.items():
            if isinstance(regexes, str) or not isinstance(regexes, Sequence):
                raise SchemaException(self.name, f"default hint `{hint}` must be a list of column names or `re:` "
                                                 "regexes")
        _check(self.name, {"default_hints": {h: list(r) for h, r in new_hints.items()}})
        hints = self.settings.setdefault("default_hints", {})
        for hint, regexes in new_hints.items():
            if replace or hint not in hints:
                hints[hint] = list(dict.fromkeys(regexes))
            else:
                hints[hint].extend(r for r in regexes if r not in hints[hint])

    def update_preferred_types(self, new_preferred_types: Mapping[str, str], normalize_identifiers: bool = True) -> None:
        """Sets preferred types: {column name or `re:` regex: data type}; a new column whose name
        matches gets that type (a first value that does not fit goes to a variant column)."""
        _check(self.name, {"preferred_types": dict(new_preferred_types)})
        self.settings.setdefault("preferred_types", {}).update(new_preferred_types)

    def get_preferred_type(self, col_name: str) -> Optional[str]:
        for rx, data_type in self.settings.get("preferred_types", {}).items():
            if (re.search(rx[3:], col_name) if rx.startswith("re:") else rx == col_name):
                return data_type
        return None

    def set_schema_contract(self, settings: Any) -> None:
        """The contract of a source's resources that set none of their own (as the source's
        `schema_contract`)."""
        if not settings:
            self.settings.pop("schema_contract", None)
        else:
            self.settings["schema_contract"] = settings

    def _compile_settings(self) -> None:
        """dlt compiles settings edited through `schema.settings`: here they are read when the
        source runs, so nothing is needed."""

    def _settings_changes(self) -> Optional[Dict[str, Any]]:
        """The settings the engine takes, when they differ from those the object began with."""
        if self.settings == self._initial_settings:
            return None
        return self._engine_settings()

    def _engine_settings(self) -> Dict[str, Any]:
        """The settings the engine takes (each replaces the stored schema's), with dlt's defaults
        for those missing."""
        settings = self.settings
        return {"detections": list(settings.get("detections") or []),
                "default_hints": copy.deepcopy(settings.get("default_hints") or {}),
                "preferred_types": dict(settings.get("preferred_types") or {})}
