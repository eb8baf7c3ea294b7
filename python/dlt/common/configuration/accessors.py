"""dlt.config and dlt.secrets: the active profile's configuration from Python.

`dlt.secrets.value` / `dlt.config.value` are the defaults that ask for injection;
`dlt.secrets["sources.github.api_key"]` reads one exact path (no sections dropped);
`dlt.config.get(key, expected_type)` returns None when the key is missing.
"""

import inspect
import os
import sys
from typing import Any, List, Optional, Tuple

from dlt import _engine


class _Sentinel:
    __slots__ = ("kind",)

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __repr__(self) -> str:
        return f"dlt.{self.kind}.value"


_SECRET_VALUE = _Sentinel("secrets")
_CONFIG_VALUE = _Sentinel("config")


def is_sentinel(v: Any) -> bool:
    return v is _SECRET_VALUE or v is _CONFIG_VALUE


def _auto_cast(value: Any) -> Any:
    """As dlt's auto_cast for strings read from a provider: true/false, ints, floats, JSON."""
    if not isinstance(value, str):
        return value
    low = value.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    for conv in (int, float):
        try:
            return conv(value)
        except ValueError:
            pass
    s = value.strip()
    if s[:1] in ("{", "[") and s[-1:] in ("}", "]"):
        import json

        try:
            return json.loads(s)
        except ValueError:
            pass
    return value


def _coerce(value: Any, annotation: Any) -> Any:
    if annotation in (inspect.Parameter.empty, Any, None) or not isinstance(value, str):
        return value
    try:
        if annotation is bool:
            low = value.strip().lower()
            if low in ("true", "1", "yes", "on"):
                return True
            if low in ("false", "0", "no", "off"):
                return False
            return value
        if annotation in (int, float):
            return annotation(value)
        if annotation in (dict, list):
            import json

            return json.loads(value)
    except ValueError:
        return value
    return value


class _Accessor:
    def __init__(self, secrets_only: bool) -> None:
        self._secrets_only = secrets_only

    @property
    def value(self) -> Any:
        return _SECRET_VALUE if self._secrets_only else _CONFIG_VALUE

    def __getitem__(self, key: str) -> Any:
        found, value = self._get(key)
        if not found:
            raise KeyError(key)
        return value

    def get(self, key: str, expected_type: Any = None) -> Any:
        from dlt.common.configuration.specs.base_configuration import spec_type

        cls = spec_type(expected_type) if expected_type is not None else None
        if cls is not None:
            # a spec: its fields under `key` (or a table / native value at it); None when nothing is set
            from dlt.common.configuration.resolve import fill_spec

            spec = cls()
            found, missing = fill_spec(spec, [[p for p in key.split(".") if p]], self._secrets_only)
            if not found:
                return None
            return spec if missing else spec.resolve()
        found, value = self._get(key)
        if not found:
            return None
        return _coerce(value, expected_type) if expected_type else value

    def __setitem__(self, key: str, value: Any) -> None:
        # Values set from code live in this process only, as dlt's in-memory provider.
        os.environ[key.replace(".", "__").upper()] = value if isinstance(value, str) else __import__("json").dumps(value)

    def _get(self, key: str) -> Tuple[bool, Any]:
        path = [p for p in key.split(".") if p]
        ws = _engine.workspace()
        found, value, _origin, _tried = ws.lookup(path, self._secrets_only, self._secrets_only)
        if not found:
            return False, None
        return True, _auto_cast(value)

    @property
    def config_providers(self) -> List[str]:
        return ["Environment Variables", "secrets.toml"] if self._secrets_only else [
            "Environment Variables", "secrets.toml", "config.toml"]


config = _Accessor(secrets_only=False)
secrets = _Accessor(secrets_only=True)


def module_section(fn: Any) -> str:
    """The config section of a function's module: the script's file name for `__main__`, else
    the last part of the module's name (as dlt's `get_module_name`)."""
    mod = getattr(fn, "__module__", None) or ""
    if mod == "__main__":
        main = sys.modules.get("__main__")
        f = getattr(main, "__file__", None)
        return os.path.splitext(os.path.basename(f))[0] if f else "__main__"
    return mod.split(".")[-1]


def lookup_paths(module: str, source: Optional[str], key: str) -> List[List[str]]:
    """dlt's section paths for a source argument: the whole path, then sections dropped from the
    right, with the compact layout sources.<source>.<key> after sources.<module>.<key>."""
    sections = ["sources", module] + ([source] if source and source != module else [])
    paths = []
    secs = list(sections)
    while True:
        paths.append(secs + [key])
        if len(secs) == 2 and source and source != module:
            paths.append(["sources", source, key])
        if not secs:
            break
        secs = secs[:-1]
    return paths


def lookup_argument(fn: Any, param: inspect.Parameter, *, section: Optional[str] = None,
                    source_name: Optional[str] = None) -> Tuple[bool, Any, List[Tuple[str, str]]]:
    """(found, value, places tried) for argument `param` of source/resource function `fn`."""
    from dlt.pipeline import current

    module = section or module_section(fn)
    source = source_name or getattr(fn, "__name__", None)
    if is_incremental_annotation(param.annotation):
        return lookup_incremental(fn, param, section=section, source_name=source_name)
    from dlt.common.configuration.specs.base_configuration import spec_type

    if spec_type(param.annotation) is not None:
        return lookup_spec(fn, param, section=section, source_name=source_name)
    secret = param.default is _SECRET_VALUE or _is_secret_annotation(param.annotation)
    ws = _engine.workspace()
    pipeline_name = current.pipeline_name_or_none()
    tried: List[Tuple[str, str]] = []
    for path in lookup_paths(module, source, param.name):
        candidates = ([[pipeline_name] + path] if pipeline_name else []) + [path]
        for p in candidates:
            found, value, _origin, places = ws.lookup(p, secret, False)
            tried.extend(places)
            if found:
                return True, _coerce(value, param.annotation), tried
    return False, None, tried


def _is_secret_annotation(annotation: Any) -> bool:
    # the type's name, and its text for Optional[TSecretStrValue] and such
    name = f"{getattr(annotation, '__name__', '')} {annotation}"
    return "TSecret" in name or "Credentials" in name


# --- an argument annotated `dlt.sources.incremental` --------------------------------------------
# the fields of dlt's Incremental configuration (a configspec): what each one is read as
_INCREMENTAL_FIELDS = (("cursor_path", str), ("initial_value", Any), ("end_value", Any), ("row_order", str),
                       ("allow_external_schedulers", bool), ("on_cursor_value_missing", str), ("lag", float),
                       ("range_start", str), ("range_end", str))


def is_incremental_annotation(annotation: Any) -> bool:
    """Whether an argument's annotation is dlt's Incremental (`dlt.sources.incremental`,
    `Incremental[int]`, `Optional[Incremental]`, or such a string annotation)."""
    if annotation is inspect.Parameter.empty or annotation is None:
        return False
    if isinstance(annotation, str):
        name = annotation.replace(" ", "")
        for prefix in ("Optional[", "typing.Optional["):
            if name.startswith(prefix) and name.endswith("]"):
                name = name[len(prefix):-1]
        name = name.split("[", 1)[0]
        return name.split(".")[-1] in ("incremental", "Incremental")
    from dlt.extract.incremental import Incremental

    if inspect.isclass(annotation):
        return issubclass(annotation, Incremental)
    import typing

    import types

    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return any(is_incremental_annotation(a) for a in typing.get_args(annotation) if a is not type(None))
    return inspect.isclass(origin) and issubclass(origin, Incremental)


def _incremental_field(value: Any, hint: Any) -> Any:
    """A field's value as dlt deserializes it: text for `bool`/`float` fields is parsed, values of
    `Any` fields (initial_value, end_value) are taken as they are."""
    if hint is Any or not isinstance(value, str):
        return value
    if hint is bool:
        return _coerce(value, bool)
    if hint is float:
        try:
            return float(value)
        except ValueError:
            return value
    return value


def lookup_incremental(fn: Any, param: inspect.Parameter, *, section: Optional[str] = None,
                       source_name: Optional[str] = None) -> Tuple[bool, Any, List[Tuple[str, str]]]:
    """(found, Incremental, places tried) for an argument annotated `dlt.sources.incremental`, as
    dlt resolves its Incremental configuration: each field (cursor_path, initial_value, end_value,
    ...) under the argument's key with dlt's sections (`sources.<module>.<resource>.<arg>.<field>`
    down to `<arg>.<field>`, each first under the pipeline's name), over a value found at the key
    itself (a table of the fields, or a bare value that is the initial_value). Without a
    cursor_path where some field was found, or for a `dlt.config.value` argument, dlt's
    ConfigFieldMissingException for the Incremental configuration's `cursor_path`."""
    from dlt.pipeline import current

    module = section or module_section(fn)
    source = source_name or getattr(fn, "__name__", None)
    ws = _engine.workspace()
    pipeline_name = current.pipeline_name_or_none()
    candidates: List[List[str]] = []
    for path in lookup_paths(module, source, param.name):
        candidates.extend(([[pipeline_name] + path] if pipeline_name else []) + [path])

    def first(suffix: List[str]) -> Tuple[bool, Any, List[Tuple[str, str]]]:
        tried: List[Tuple[str, str]] = []
        for p in candidates:
            found, value, _origin, places = ws.lookup(p + suffix, False, False)
            tried.extend(places)
            if found:
                return True, value, tried
        return False, None, tried

    fields: dict = {}
    found_any, native, _ = first([])
    if found_any:
        if isinstance(native, str) and native.strip()[:1] == "{":
            import json

            try:
                native = json.loads(native)
            except ValueError:
                pass
        if isinstance(native, dict):
            fields.update({k: v for k, v in native.items() if k in dict(_INCREMENTAL_FIELDS)})
        else:
            fields["initial_value"] = native  # dlt: a bare value is the initial value
    cursor_tried: List[Tuple[str, str]] = []
    for name, hint in _INCREMENTAL_FIELDS:
        found, value, tried = first([name])
        if name == "cursor_path":
            cursor_tried = tried
        if found:
            found_any = True
            fields[name] = value
    fields = {k: _incremental_field(v, dict(_INCREMENTAL_FIELDS)[k]) for k, v in fields.items()}
    if not fields.get("cursor_path"):
        if found_any or is_sentinel(param.default):
            from dlt.common.configuration.exceptions import ConfigFieldMissingException, LookupTrace

            raise ConfigFieldMissingException(
                "Incremental", {"cursor_path": [LookupTrace(p, [], k) for p, k in cursor_tried]})
        return False, None, cursor_tried
    from dlt.extract.incremental import Incremental

    return True, Incremental(**fields), cursor_tried


# --- an argument typed with a spec (@configspec class) ------------------------------------------

def argument_candidates(fn: Any, name: str, *, section: Optional[str] = None,
                        source_name: Optional[str] = None) -> List[List[str]]:
    """The keys an argument `name` of `fn` is looked up at, in order (each first under the
    pipeline's name)."""
    from dlt.pipeline import current

    module = section or module_section(fn)
    source = source_name or getattr(fn, "__name__", None)
    pipeline_name = current.pipeline_name_or_none()
    out: List[List[str]] = []
    for path in lookup_paths(module, source, name):
        out.extend(([[pipeline_name] + path] if pipeline_name else []) + [path])
    return out


def lookup_spec(fn: Any, param: inspect.Parameter, *, section: Optional[str] = None,
                source_name: Optional[str] = None, initial: Any = None,
                given: bool = False) -> Tuple[bool, Any, List[Tuple[str, str]]]:
    """(found, spec instance, places tried) for an argument typed with a spec, as dlt resolves an
    embedded configuration: its fields under the argument's key (`sources.<module>.<source>.
    <arg>.<field>` down to `<arg>.<field>`), over a table or native value at the key itself and
    over the default. `initial` is a value the caller gave (a dict of fields or a native value):
    its fields win and only the others are looked up. Required fields nobody set raise
    ConfigFieldMissingException naming the spec; an Optional spec nobody set is None."""
    from dlt.common.configuration.resolve import apply_native, fill_spec, given_spec, missing_exception
    from dlt.common.configuration.specs.base_configuration import _is_optional, spec_type

    cls = spec_type(param.annotation)
    where = f"argument `{param.name}` of {getattr(fn, '__name__', 'function')}"
    keep: Any = ()
    if given:
        spec, keep = given_spec(cls, initial, where)
    elif isinstance(param.default, cls):
        spec = param.default.copy()
    else:
        spec = cls()
        if param.default is not None and not is_sentinel(param.default):
            apply_native(spec, param.default, where)
    found, missing = fill_spec(spec, argument_candidates(fn, param.name, section=section, source_name=source_name),
                               param.default is _SECRET_VALUE, keep)
    tried = [t for traces in missing.values() for t in traces]
    if missing:
        if not found and not given and _is_optional(param.annotation):
            # nobody set it: the default, or None for dlt.secrets.value / dlt.config.value
            return is_sentinel(param.default), None, tried
        raise missing_exception(spec, missing)
    spec.resolve()
    return True, spec, tried
