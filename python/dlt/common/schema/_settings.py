"""dlt's schema settings on a Schema object: type detections, default (column) hints and
preferred types, edited as dlt's documentation does it:

    source = my_source()
    source.schema.add_type_detection("iso_date")
    source.schema.merge_hints({"partition": ["re:_date$"], "not_null": ["id"]})
    source.schema.update_preferred_types({"re:^amount": "decimal"})

(or through `dlt.current.source_schema()` inside the source function). Settings that differ
from dlt's defaults go to the engine with the source's resources and are merged into the stored
schema when the package is normalized; from then on they apply to every new column of that
schema, in later runs too. The engine checks them (unknown detections, hints or types, bad
regexes) and names what is wrong.
"""

import copy
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
DATA_TYPES = ("text", "double", "bool", "timestamp", "bigint", "binary", "json", "decimal", "wei", "date", "time")


def standard_settings() -> Dict[str, Any]:
    return {"detections": list(STANDARD_DETECTIONS), "default_hints": copy.deepcopy(STANDARD_HINTS)}


def _check_regex(schema_name: str, value: Any, where: str) -> str:
    from dlt.common.schema.exceptions import SchemaException

    if not isinstance(value, str) or not value:
        raise SchemaException(schema_name, f"{where}: {value!r} is not a column name or `re:` regex")
    if value.startswith("re:"):
        try:
            re.compile(value[3:])
        except re.error as e:
            raise SchemaException(schema_name, f"{where}: `{value}` is not a valid regex: {e}") from None
    return value


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

        hints = self.settings.setdefault("default_hints", {})
        for hint, regexes in new_hints.items():
            if hint not in DEFAULT_HINTS:
                raise SchemaException(self.name, f"unknown default hint `{hint}`; dlt's are {', '.join(DEFAULT_HINTS)}")
            if isinstance(regexes, str) or not isinstance(regexes, Sequence):
                raise SchemaException(self.name, f"default hint `{hint}` must be a list of column names or `re:` regexes")
            values = [_check_regex(self.name, r, f"default hint `{hint}`") for r in regexes]
            if replace or hint not in hints:
                hints[hint] = list(dict.fromkeys(values))
            else:
                hints[hint].extend(v for v in values if v not in hints[hint])

    def update_preferred_types(self, new_preferred_types: Mapping[str, str], normalize_identifiers: bool = True) -> None:
        """Sets preferred types: {column name or `re:` regex: data type}; a new column whose name
        matches gets that type (a value that does not fit goes to a variant column)."""
        from dlt.common.schema.exceptions import SchemaException

        preferred = self.settings.setdefault("preferred_types", {})
        for rx, data_type in new_preferred_types.items():
            _check_regex(self.name, rx, "preferred types")
            if data_type not in DATA_TYPES:
                raise SchemaException(self.name, f"preferred type of `{rx}` is {data_type!r}, not one of dlt's data types "
                                      f"({', '.join(DATA_TYPES)})")
            preferred[rx] = data_type

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
        """The settings to send to the engine, when they differ from those the object began with."""
        if self.settings == self._initial_settings:
            return None
        return {k: v for k, v in self.settings.items() if k in ("detections", "default_hints", "preferred_types")}
