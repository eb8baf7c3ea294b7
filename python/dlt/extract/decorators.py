"""@dlt.source, @dlt.resource, @dlt.transformer and @dlt.defer, with dlt's signatures."""

import functools
import inspect
from typing import Any, Callable, List, Optional

from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource


def _resource_hints(table_name, write_disposition, columns, primary_key, merge_key, schema_contract,
                    max_table_nesting, table_format, file_format):
    return dict(table_name=table_name, write_disposition=write_disposition, columns=columns,
                primary_key=primary_key, merge_key=merge_key, schema_contract=schema_contract,
                max_table_nesting=max_table_nesting, table_format=table_format, file_format=file_format)


def resource(data: Any = None, /, name: Any = None, table_name: Any = None, max_table_nesting: Optional[int] = None,
             write_disposition: Any = None, columns: Any = None, primary_key: Any = None, merge_key: Any = None,
             schema_contract: Any = None, table_format: Any = None, file_format: Any = None,
             references: Any = None, nested_hints: Any = None, selected: bool = True, spec: Any = None,
             parallelized: bool = False, incremental: Any = None, section: Optional[str] = None,
             standalone: Any = None, data_from: Any = None, _impl_cls: Any = None) -> Any:
    hints = _resource_hints(table_name, write_disposition, columns, primary_key, merge_key, schema_contract,
                            max_table_nesting, table_format, file_format)
    hints["nested_hints"] = nested_hints
    hints["references"] = references

    def make(fn: Callable) -> DltResource:
        if not callable(fn):  # dlt.resource(name=...)(data): an iterator, a list
            r = DltResource.from_data(fn, name=name if isinstance(name, str) else None,
                                      **{k: v for k, v in hints.items() if v is not None})
            r.selected, r.parallelized = selected, parallelized
            return r
        r = DltResource(name if isinstance(name, str) else fn.__name__, fn=fn, selected=selected,
                        section=section, parallelized=parallelized)
        if callable(name):
            r._name_fn = name  # the name comes from the arguments when the resource is called
        r.apply_hints(**{k: v for k, v in hints.items() if v is not None})
        if incremental is not None:
            r.apply_hints(incremental=incremental)
        # A function without parameters (other than defaulted ones) can be used without calling.
        r._bound = True
        functools.update_wrapper(r, fn, updated=())
        return r

    if data is None:
        return make
    if callable(data) and (inspect.isfunction(data) or inspect.ismethod(data)):
        return make(data)
    r = DltResource.from_data(data, name=name if isinstance(name, str) else None,
                              **{k: v for k, v in hints.items() if v is not None})
    r.selected = selected
    return r


def transformer(f: Any = None, /, data_from: Any = None, name: Any = None, table_name: Any = None,
                max_table_nesting: Optional[int] = None, write_disposition: Any = None, columns: Any = None,
                primary_key: Any = None, merge_key: Any = None, schema_contract: Any = None,
                table_format: Any = None, file_format: Any = None, references: Any = None,
                selected: bool = True, spec: Any = None, parallelized: bool = False,
                section: Optional[str] = None, standalone: Any = None, _impl_cls: Any = None) -> Any:
    hints = _resource_hints(table_name, write_disposition, columns, primary_key, merge_key, schema_contract,
                            max_table_nesting, table_format, file_format)
    hints["references"] = references

    def make(fn: Callable) -> DltResource:
        parent = None
        if data_from is not None:
            parent = data_from if isinstance(data_from, DltResource) else DltResource.from_data(data_from)
        r = DltResource(name if isinstance(name, str) else fn.__name__, fn=fn, selected=selected,
                        parent=parent, section=section, parallelized=parallelized)
        r._hints["_is_transformer"] = True
        if callable(name):
            r._name_fn = name
        r.apply_hints(**{k: v for k, v in hints.items() if v is not None})
        functools.update_wrapper(r, fn, updated=())
        return r

    if f is None:
        return make
    return make(f)


def source(func: Any = None, /, name: Optional[str] = None, section: Optional[str] = None,
           max_table_nesting: Optional[int] = None, root_key: Optional[bool] = None, schema: Any = None,
           schema_contract: Any = None, spec: Any = None, parallelized: bool = False, _impl_cls: Any = None) -> Any:
    max_table_nesting_, root_key_, schema_, schema_contract_, parallelized_ = (max_table_nesting, root_key, schema,
                                                                               schema_contract, parallelized)

    def make(fn: Callable) -> Callable[..., DltSource]:
        from dlt.common.configuration.accessors import module_section
        from dlt.common.configuration.inject import call_with_config

        source_name = name or (schema.name if schema is not None else fn.__name__)
        source_section = section or module_section(fn)

        def check_name() -> None:
            from dlt.common.schema.exceptions import InvalidSchemaName, is_valid_schema_name

            if not is_valid_schema_name(source_name):  # it names the source's schema (as in dlt)
                raise InvalidSchemaName(source_name)

        def schema_scope() -> Any:
            from dlt.common.schema import Schema
            from dlt.pipeline import current

            # dlt.current.source_schema() in the source function: its schema, new for each call
            return current._source_schema_scope(lambda: schema if schema is not None else Schema(source_name))

        def make_source(out: Any, made: List[Any]) -> DltSource:
            resources = []
            items = out if isinstance(out, (list, tuple)) or inspect.isgenerator(out) else [out]
            for item in items:
                if isinstance(item, DltSource):
                    resources.extend(item.resources.values())
                elif isinstance(item, DltResource):
                    resources.append(item)
                else:
                    resources.append(DltResource.from_data(item))
            for r in resources:
                if parallelized:
                    r.parallelized = True
            src = DltSource(source_name, source_section, resources, max_table_nesting, schema_contract, root_key)
            # the schema the source function edited (dlt.current.source_schema()), or the one given
            if made or schema is not None:
                src.schema = made[0] if made else schema
            return src

        if inspect.iscoroutinefunction(fn):
            # As dlt: calling an async source gives a coroutine that makes the source when awaited.
            @functools.wraps(fn)
            async def wrapper(*args: Any, **kwargs: Any) -> DltSource:
                check_name()
                with schema_scope() as made:
                    out = await call_with_config(fn, args, kwargs, section=source_section, source_name=source_name)
                    return make_source(out, made)
        else:
            @functools.wraps(fn)
            def wrapper(*args: Any, **kwargs: Any) -> DltSource:  # type: ignore[misc]
                check_name()
                with schema_scope() as made:
                    out = call_with_config(fn, args, kwargs, section=source_section, source_name=source_name)
                    return make_source(out, made)

        def clone(*, name: Optional[str] = None, section: Optional[str] = None,
                  max_table_nesting: Optional[int] = None, root_key: Optional[bool] = None, schema: Any = None,
                  schema_contract: Any = None, spec: Any = None, parallelized: Optional[bool] = None,
                  _impl_cls: Any = None) -> Any:
            """As dlt's SourceFactory.clone: the same source function with other defaults."""
            return source(fn, name=name if name is not None else source_name,
                          section=section if section is not None else source_section,
                          max_table_nesting=max_table_nesting if max_table_nesting is not None else max_table_nesting_,
                          root_key=root_key if root_key is not None else root_key_,
                          schema=schema if schema is not None else schema_,
                          schema_contract=schema_contract if schema_contract is not None else schema_contract_,
                          spec=spec, parallelized=parallelized if parallelized is not None else parallelized_)

        wrapper.__dlt_source__ = True  # type: ignore[attr-defined]
        wrapper.name = source_name  # type: ignore[attr-defined]
        wrapper.section = source_section  # type: ignore[attr-defined]
        wrapper.clone = clone  # type: ignore[attr-defined]
        return wrapper

    if func is None:
        return make
    return make(func)


def defer(f: Callable) -> Callable:
    """As dlt's @dlt.defer: calling `f` returns a callable that runs it later; a resource that
    yields (or a transformer that returns) it has it run in the extract's thread pool
    (`[extract] workers`, default 5), up to `max_parallel_items` at once, results in the order
    they finish."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        def _curry() -> Any:
            return f(*args, **kwargs)

        return _curry

    return wrapper
