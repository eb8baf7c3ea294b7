"""Calls a function with the configuration it asks for.

Arguments the caller did not pass and whose default is `dlt.secrets.value` / `dlt.config.value`
(or any default, as dlt does) are looked up in the active profile's configuration with dlt's
section rules: sources.<module>.<source>.<arg>, then sources.<module>.<arg>, sources.<arg>,
<arg>. A sentinel nobody set raises ConfigFieldMissingException naming every place looked at.
`with_config` does the same for any function, under the sections it is given.
"""

import functools
import inspect
from typing import Any, Callable, Dict, Optional, Tuple


def call_with_config(fn: Callable, args: Tuple[Any, ...], kwargs: Dict[str, Any], *,
                     section: Optional[str] = None, source_name: Optional[str] = None,
                     resource_name: Optional[str] = None) -> Any:
    from dlt.common.configuration.resolve import resolve_arguments

    bound = resolve_arguments(fn, args, kwargs, section=section, source_name=source_name,
                              resource_name=resource_name)
    return fn(*bound.args, **bound.kwargs)


def get_fun_spec(fn: Callable) -> inspect.Signature:
    return inspect.signature(fn)


def _bind_in_sections(fn: Callable, args: Tuple[Any, ...], kwargs: Dict[str, Any], sections: Tuple[str, ...],
                      pipeline_section: bool, accept_partial: bool) -> inspect.BoundArguments:
    from dlt import _engine
    from dlt.common.configuration.accessors import _SECRET_VALUE, _is_secret_annotation, is_sentinel
    from dlt.common.configuration.exceptions import ConfigFieldMissingException
    from dlt.common.configuration.resolve import (_first, apply_native, coerce_field, fill_spec, missing_exception,
                                                  given_spec, section_candidates, signature)
    from dlt.common.configuration.specs.base_configuration import _is_optional, spec_type

    candidates = section_candidates(tuple(sections))
    if pipeline_section:
        from dlt.pipeline import current

        name = current.pipeline_name_or_none()
        if name:
            candidates = [[name] + c for c in candidates] + candidates
    sig = signature(fn)
    bound = sig.bind_partial(*args, **kwargs)
    ws = _engine.workspace()
    missing = []
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        cls = spec_type(p.annotation)
        given = p.name in bound.arguments
        if given and (cls is None or bound.arguments[p.name] is None or
                      (isinstance(bound.arguments[p.name], cls) and bound.arguments[p.name].is_resolved())):
            continue
        if not given and p.default is inspect.Parameter.empty:
            continue
        secret = p.default is _SECRET_VALUE or _is_secret_annotation(p.annotation)
        if cls is not None:
            # a spec: its fields under <sections>.<arg>, over a dict / native value the caller gave
            # (its fields win) or the default
            keep: Any = ()
            where = f"argument `{p.name}` of {getattr(fn, '__name__', 'function')}"
            if given:
                spec, keep = given_spec(cls, bound.arguments[p.name], where)
            elif isinstance(p.default, cls):
                spec = p.default.copy()
            else:
                spec = cls()
                if p.default is not None and not is_sentinel(p.default):
                    apply_native(spec, p.default, where)
            found, spec_missing = fill_spec(spec, [c + [p.name] for c in candidates], p.default is _SECRET_VALUE, keep)
            if spec_missing and not found and not given and _is_optional(p.annotation):
                continue  # the default (None for a sentinel)
            if spec_missing and not accept_partial:
                raise missing_exception(spec, spec_missing)
            bound.arguments[p.name] = spec if spec_missing else spec.resolve()
            continue
        found, value, tried = _first(ws, candidates, [p.name], secret)
        if found:
            bound.arguments[p.name] = coerce_field(value, p.annotation)
        elif is_sentinel(p.default):
            missing.append((p.name, tried))
    if missing and not accept_partial:
        raise ConfigFieldMissingException.for_function(fn, missing)
    bound.apply_defaults()
    for name, value in list(bound.arguments.items()):
        if is_sentinel(value):
            bound.arguments[name] = None
    return bound


def with_config(func: Optional[Callable] = None, /, spec: Any = None, sections: Any = (),
                sections_merge_style: Any = None, auto_pipeline_section: bool = False,
                include_defaults: bool = True, accept_partial: bool = False, initial_config: Any = None,
                base: Any = None, lock_context_on_injection: bool = True) -> Any:
    """dlt's with_config: the decorated function gets the arguments it was not called with from
    the configuration, each looked up at `<sections>.<arg>` dropping sections from the right (and
    first under the pipeline's name with auto_pipeline_section). Defaults `dlt.secrets.value` /
    `dlt.config.value` nobody set raise ConfigFieldMissingException (None with accept_partial);
    an argument typed with a spec gets its fields under `<sections>.<arg>`, over a dict or native
    value it was called with. sections_merge_style, include_defaults and
    lock_context_on_injection change nothing here (one lookup order, no config context)."""
    for name, value in (("spec", spec), ("initial_config", initial_config), ("base", base)):
        if value is not None:
            # the arguments come from the function's signature here; a spec of one's own is the
            # type of an argument (resolved field by field), not the function's whole spec
            raise NotImplementedError(f"with_config({name}=...) is not supported by dlt-cpp; type an argument with "
                                      "the spec instead")
    secs = (sections,) if isinstance(sections, str) else tuple(sections or ())

    def decorator(fn: Callable) -> Callable:
        if inspect.iscoroutinefunction(fn):
            @functools.wraps(fn)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                bound = _bind_in_sections(fn, args, kwargs, secs, auto_pipeline_section, accept_partial)
                return await fn(*bound.args, **bound.kwargs)

            return async_wrapper

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            bound = _bind_in_sections(fn, args, kwargs, secs, auto_pipeline_section, accept_partial)
            return fn(*bound.args, **bound.kwargs)

        return wrapper

    return decorator(func) if func is not None else decorator
