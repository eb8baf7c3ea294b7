"""Injection of configuration values into the arguments of source/resource functions."""

import inspect
from typing import Any, Callable, Dict, List, Optional, Tuple


def signature(fn: Callable) -> inspect.Signature:
    """fn's signature with string annotations (`from __future__ import annotations`) evaluated
    one by one in fn's module, as dlt resolves them; one that does not evaluate (a name imported
    under TYPE_CHECKING) stays as written."""
    sig = inspect.signature(fn)
    globalns = getattr(inspect.unwrap(fn), "__globals__", {})
    params = []
    for p in sig.parameters.values():
        if isinstance(p.annotation, str):
            try:
                p = p.replace(annotation=eval(p.annotation, dict(globalns)))  # noqa: S307  (the user's own annotation)
            except Exception:  # noqa: BLE001
                pass
        params.append(p)
    return sig.replace(parameters=params)


def resolve_arguments(fn: Callable, args: Tuple[Any, ...], kwargs: Dict[str, Any], *,
                      section: Optional[str] = None, source_name: Optional[str] = None,
                      resource_name: Optional[str] = None) -> inspect.BoundArguments:
    """Binds `args`/`kwargs` to `fn` and fills the missing arguments from the configuration."""
    from dlt.common.configuration.accessors import is_sentinel, lookup_argument

    from dlt.common.configuration.specs.base_configuration import spec_type

    sig = signature(fn)
    bound = sig.bind_partial(*args, **kwargs)
    missing = []
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.name in bound.arguments:
            # a spec given as a dict of fields or a native value: completed from the configuration
            cls = spec_type(p.annotation)
            given = bound.arguments[p.name]
            if cls is not None and given is not None and not (isinstance(given, cls) and given.is_resolved()):
                from dlt.common.configuration.accessors import lookup_spec

                _, bound.arguments[p.name], _ = lookup_spec(fn, p, section=section, source_name=source_name,
                                                            initial=given, given=True)
            continue
        if p.default is inspect.Parameter.empty:
            continue
        found, value, trace = lookup_argument(fn, p, section=section, source_name=source_name)
        if found:
            bound.arguments[p.name] = value
        elif is_sentinel(p.default):
            missing.append((p.name, trace))
    if missing:
        from dlt.common.configuration.exceptions import ConfigFieldMissingException

        raise ConfigFieldMissingException.for_function(fn, missing)
    bound.apply_defaults()
    return bound


# --- specs (@configspec classes) ----------------------------------------------------------------

def _unwrap_optional(hint: Any) -> Any:
    from dlt.common.configuration.specs.base_configuration import _union_args

    args = _union_args(hint)
    if args is not None:
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return hint


def coerce_field(value: Any, hint: Any) -> Any:
    """A provider's value for a spec field of type `hint`: text for bool/int/float/list/dict
    fields is parsed, as dlt deserializes it; other values are kept."""
    import typing

    from dlt.common.configuration.accessors import _coerce

    inner = _unwrap_optional(hint)
    if inner is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    origin = typing.get_origin(inner)
    if origin in (list, dict, tuple):
        inner = list if origin is tuple else origin
    return _coerce(value, inner)


def _first(ws: Any, candidates: List[List[str]], suffix: List[str], secret: bool) -> Tuple[bool, Any, List[Tuple[str, str]]]:
    tried: List[Tuple[str, str]] = []
    for p in candidates:
        if not p + suffix:
            continue  # no key at all (a spec without sections)
        found, value, _origin, places = ws.lookup(p + suffix, secret, False)
        tried.extend(places)
        if found:
            return True, value, tried
    return False, None, tried


def apply_native(spec: Any, native: Any, where: str, skip: Any = ()) -> None:
    """A value given for a whole spec: a table (dict, or JSON text of one) sets its fields (but
    those in `skip`), other values go to the spec's parse_native_representation."""
    from collections.abc import Mapping

    if isinstance(native, str) and native.strip()[:1] == "{":
        import json

        try:
            native = json.loads(native)
        except ValueError:
            pass
    if isinstance(native, Mapping):
        spec.update({k: v for k, v in native.items() if k not in skip})
        return
    try:
        spec.parse_native_representation(native)
    except NotImplementedError:
        from dlt.common.configuration.exceptions import ConfigurationValueError

        # never the value: it may be a secret
        raise ConfigurationValueError(
            f"{where}: {type(spec).__name__} takes a table of its fields ({', '.join(spec.get_resolvable_fields())}), "
            f"got a {type(native).__name__}") from None


def explicit_fields(spec: Any, given: Any) -> set:
    """The fields a value given for a spec sets (it was applied to `spec`): the keys of a dict,
    else those a native value or an instance set to something other than their default."""
    from collections.abc import Mapping

    from dlt.common.configuration.specs.base_configuration import BaseConfiguration

    fields = type(spec).get_resolvable_fields()
    if isinstance(given, Mapping) and not isinstance(given, BaseConfiguration):  # (a spec is a Mapping too)
        return {k for k in given if k in fields}
    try:
        fresh = type(spec)()
    except Exception:  # noqa: BLE001  (an __init__ that needs arguments: every field set counts)
        return {f for f in fields if getattr(spec, f, None) is not None}
    return {f for f in fields if getattr(spec, f, None) != getattr(fresh, f, None)}


def given_spec(cls: Any, given: Any, where: str) -> Tuple[Any, set]:
    """A spec from a value a caller gave (an instance, a dict of fields or a native value) and
    the fields it set, which the configuration does not change."""
    if isinstance(given, cls):
        return given, explicit_fields(given, given)
    spec = cls()
    apply_native(spec, given, where)
    return spec, explicit_fields(spec, given)


def fill_spec(spec: Any, candidates: List[List[str]], secret: bool,
              keep: Any = ()) -> Tuple[bool, Dict[str, List[Tuple[str, str]]]]:
    """Sets the fields of `spec` from the configuration, as dlt resolves a spec: the value at the
    first candidate key holding one (a table of fields or a native value; read from secrets
    only when `secret` or the spec is credentials), then each field under the candidates
    (`<candidate>.<field>`, embedded specs recursively; secret-typed fields from secrets only).
    Fields in `keep` (values the caller gave) are not changed, and with any the value at the key
    is not read. Returns (anything found, the required fields still missing -> places tried)."""
    from dlt import _engine
    from dlt.common.configuration.accessors import _is_secret_annotation
    from dlt.common.configuration.specs.base_configuration import is_secret_spec, spec_type

    ws = _engine.workspace()
    hints = type(spec).get_resolvable_fields()
    found_any = False
    if not keep:
        whole_secret = secret or is_secret_spec(type(spec))
        found_any, native, _ = _first(ws, candidates, [], whole_secret)
        if found_any:
            # secret fields of a table found by a lookup that is not for secrets are read on their
            # own below, from secret providers only
            skip = () if whole_secret else {n for n, h in hints.items() if _is_secret_annotation(h)}
            where = ".".join(next((c for c in candidates if c), [type(spec).__name__]))
            apply_native(spec, native, where, skip)
    missing: Dict[str, List[Tuple[str, str]]] = {}
    for name, hint in hints.items():
        sub = spec_type(hint)
        if name in keep and sub is None:
            continue
        if sub is not None:
            current = getattr(spec, name)
            child_keep: Any = ()
            if name in keep and current is not None:
                # given by the caller (a dict, a native value, an instance): its fields win
                child, child_keep = given_spec(sub, current, f"{type(spec).__name__}.{name}")
                if child.is_resolved():
                    setattr(spec, name, child)
                    continue
            elif isinstance(current, sub):
                child = current
            else:
                child = sub.from_init_value(current) if current is not None else sub()
            child_found, child_missing = fill_spec(child, [c + [name] for c in candidates], _is_secret_annotation(hint),
                                                   child_keep)
            found_any = found_any or child_found
            if child_found or current is not None or not child.is_partial():
                setattr(spec, name, child)
            if child.is_partial() and not type(spec).is_field_resolved(None, hint):
                missing.update({f"{name}.{k}": v for k, v in child_missing.items()})
            elif not child.is_partial() and not child.is_resolved():
                child.resolve()
            continue
        found, value, tried = _first(ws, candidates, [name], _is_secret_annotation(hint))
        if found:
            found_any = True
            setattr(spec, name, coerce_field(value, hint))
        elif not type(spec).is_field_resolved(getattr(spec, name), hint):
            missing[name] = tried
    return found_any, missing


def missing_exception(spec: Any, missing: Dict[str, List[Tuple[str, str]]]) -> Exception:
    from dlt.common.configuration.exceptions import ConfigFieldMissingException, LookupTrace

    return ConfigFieldMissingException(type(spec).__name__,
                                       {f: [LookupTrace(p, [], k) for p, k in tried] for f, tried in missing.items()})


def section_candidates(sections: Tuple[str, ...], obligatory: Optional[str] = None) -> List[List[str]]:
    """Key prefixes for `sections`, dropping sections from the right; `obligatory` (a spec's
    __section__) stays in every one."""
    secs = [s for s in sections if s]
    out = []
    for i in range(len(secs), -1, -1):
        out.append(secs[:i] + ([obligatory] if obligatory else []))
    return out


def resolve_configuration(config: Any, *, sections: Tuple[str, ...] = (), explicit_value: Any = None,
                          accept_partial: bool = False) -> Any:
    """dlt's resolve_configuration: fills the spec instance `config` from the configuration under
    `sections` (and its __section__), over `explicit_value` (a dict of fields or a native value,
    which wins over the configuration); raises ConfigFieldMissingException for required fields
    nobody set, unless accept_partial. A config already resolved is returned as it is."""
    if config.is_resolved():
        return config
    keep: Any = ()
    if explicit_value is not None:
        apply_native(config, explicit_value, type(config).__name__)
        keep = explicit_fields(config, explicit_value)
    _, missing = fill_spec(config, section_candidates(tuple(sections), type(config).__section__), False, keep)
    if missing and not accept_partial:
        raise missing_exception(config, missing)
    if not missing:
        config.resolve()
    return config
