"""Injection of configuration values into the arguments of source/resource functions."""

import inspect
from typing import Any, Callable, Dict, Optional, Tuple


def resolve_arguments(fn: Callable, args: Tuple[Any, ...], kwargs: Dict[str, Any], *,
                      section: Optional[str] = None, source_name: Optional[str] = None,
                      resource_name: Optional[str] = None) -> inspect.BoundArguments:
    """Binds `args`/`kwargs` to `fn` and fills the missing arguments from the configuration."""
    from dlt.common.configuration.accessors import is_sentinel, lookup_argument

    sig = inspect.signature(fn)
    bound = sig.bind_partial(*args, **kwargs)
    missing = []
    for p in sig.parameters.values():
        if p.name in bound.arguments or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
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
