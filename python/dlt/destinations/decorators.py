"""`dlt.destination`: a function as a destination (dlt's custom destination, "reverse ETL"), or a
destination instance made from a name (`dlt.destination("my_sink", destination_callable=...)`,
`dlt.destination("warehouse", destination_type="duckdb")`). How the rows reach the function:
dlt/destinations/_sink.py."""

import functools
import importlib
from typing import Any, Callable, Dict, Optional

from dlt.destinations import Destination

_FORMATS = (None, "jsonl", "typed-jsonl", "parquet")


class CustomDestination(Destination):
    """A destination whose load step calls `destination_callable(items, table, **config)`."""

    def __init__(self, destination_callable: Callable[..., Any], destination_name: Optional[str] = None, *,
                 loader_file_format: Optional[str] = None, batch_size: int = 10,
                 naming_convention: str = "direct", skip_dlt_columns_and_tables: bool = True,
                 max_table_nesting: Optional[int] = 0, max_parallel_load_jobs: Optional[int] = None,
                 loader_parallelism_strategy: Optional[str] = None, spec: Any = None,
                 call_kwargs: Optional[Dict[str, Any]] = None) -> None:
        if isinstance(destination_callable, str):
            destination_callable = _import_callable(destination_callable)
        if not callable(destination_callable):
            from dlt.common.configuration.exceptions import ConfigurationValueError

            raise ConfigurationValueError("Resolved Sink destination callable is not a callable.")
        if loader_file_format not in _FORMATS:
            raise ValueError(f"loader_file_format `{loader_file_format}`: a custom destination takes typed-jsonl, "
                             "jsonl or parquet")
        if not isinstance(batch_size, int) or batch_size < 0:
            raise ValueError(f"batch_size must be a whole number >= 0, got {batch_size!r}")
        name = destination_name or getattr(destination_callable, "__name__", None) or "destination"
        fmt = "parquet" if loader_file_format == "parquet" else "typed-jsonl"
        # what the engine reads of it (destination.<name>.*): the type, the rows' file format and
        # the naming convention of the names it gets
        super().__init__("destination", None, name, loader_file_format=fmt, naming_convention=naming_convention)
        self.config_params["destination_type"] = "destination"
        self.destination_callable = destination_callable
        self.loader_file_format = fmt
        self.batch_size = batch_size
        self.naming_convention = naming_convention
        self.skip_dlt_columns_and_tables = skip_dlt_columns_and_tables
        self.max_table_nesting = max_table_nesting
        self.max_parallel_load_jobs = max_parallel_load_jobs
        self.loader_parallelism_strategy = loader_parallelism_strategy
        self.spec = spec
        # arguments given in code (my_sink(api_key=...)): they win over the configuration
        self.call_kwargs = dict(call_kwargs or {})

    def __repr__(self) -> str:
        fn = getattr(self.destination_callable, "__qualname__", repr(self.destination_callable))
        return f"CustomDestination({self.destination_name!r}, callable={fn}, batch_size={self.batch_size})"


def _import_callable(ref: str) -> Callable[..., Any]:
    module, _, attr = ref.rpartition(".")
    try:
        fn = getattr(importlib.import_module(module), attr) if module else None
    except (ImportError, AttributeError):
        fn = None
    if fn is None or not callable(fn):
        from dlt.common.destination.exceptions import DestinationException

        raise DestinationException(f"Custom destination callable {ref} could not be imported.")
    return fn


def destination(func_or_name: Any = None, /, *, loader_file_format: Optional[str] = None, batch_size: int = 10,
                name: Optional[str] = None, naming_convention: str = "direct",
                skip_dlt_columns_and_tables: bool = True, max_table_nesting: int = 0, spec: Any = None,
                max_parallel_load_jobs: Optional[int] = None, loader_parallelism_strategy: Optional[str] = None,
                **kwargs: Any) -> Any:
    """@dlt.destination / @dlt.destination(batch_size=..., ...) over `def f(items, table, **config)`:
    a factory; calling it (with config arguments, or none) gives the destination for
    dlt.pipeline(destination=...); the decorated name itself may be passed too.
    dlt.destination("name", destination_callable=f_or_"module.f", ...) makes one directly;
    dlt.destination("name", destination_type="duckdb", credentials=...) a named destination of a type."""
    settings = dict(loader_file_format=loader_file_format, batch_size=batch_size,
                    naming_convention=naming_convention, skip_dlt_columns_and_tables=skip_dlt_columns_and_tables,
                    max_table_nesting=max_table_nesting, max_parallel_load_jobs=max_parallel_load_jobs,
                    loader_parallelism_strategy=loader_parallelism_strategy, spec=spec)

    def decorator(fn: Callable[..., Any]) -> Callable[..., CustomDestination]:
        dest_name = name or fn.__name__

        @functools.wraps(fn)
        def factory(*args: Any, **call_kwargs: Any) -> CustomDestination:
            if args:
                import logging

                logging.getLogger("dlt").warning("Ignoring positional arguments for destination callable %s", fn)
            return CustomDestination(fn, dest_name, call_kwargs=call_kwargs, **settings)

        factory._factory = CustomDestination  # type: ignore[attr-defined]
        factory._dlt_custom_destination = True  # type: ignore[attr-defined]
        return factory

    if func_or_name is None:
        return decorator
    if not isinstance(func_or_name, str):
        return decorator(func_or_name)

    # factory mode: a destination from its name
    destination_type = kwargs.pop("destination_type", None)
    if destination_type:
        credentials = kwargs.pop("credentials", None)
        t = destination_type.rsplit(".", 1)[-1] if str(destination_type).startswith("dlt.destinations.") \
            else destination_type
        dest = Destination(t, credentials, func_or_name, **kwargs)
        if func_or_name != t:
            dest.config_params["destination_type"] = t  # destination.<name>.destination_type
        return dest
    fn = kwargs.pop("destination_callable", None)
    if fn is not None:
        return CustomDestination(fn, func_or_name, call_kwargs=kwargs, **settings)
    return Destination.from_reference(func_or_name, **kwargs)
