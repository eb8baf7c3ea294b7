"""Calls a source or resource function with the configuration it asks for.

Arguments the caller did not pass and whose default is `dlt.secrets.value` / `dlt.config.value`
(or any default, as dlt does) are looked up in the active profile's configuration with dlt's
section rules: sources.<module>.<source>.<arg>, then sources.<module>.<arg>, sources.<arg>,
<arg>. A sentinel nobody set raises ConfigFieldMissingException naming every place looked at.
"""

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
