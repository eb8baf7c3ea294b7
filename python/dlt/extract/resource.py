"""DltResource: a named stream of data items with hints, as dlt's `@dlt.resource` makes it.

The engine reads a resource through `_open(last_value_json)`, which returns the iterator of
items (generator output after the add_map/add_filter/add_limit steps). Everything else here is
dlt's resource API: calling a parametrized resource, `|` into a transformer, `with_name`,
`apply_hints`, `selected`.
"""

import functools
import inspect
from copy import copy
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional

from dlt.extract import hints as _hints
from dlt.extract.exceptions import InvalidResourceDataType, ResourceNameMissing
from dlt.extract.items import DataItemWithMeta, FilterItem, LimitItem, MapItem, TableNameMeta, YieldMapItem, rewrap, unwrap

_HINT_NAMES = ("table_name", "write_disposition", "primary_key", "merge_key", "columns",
               "schema_contract", "max_table_nesting", "incremental", "file_format", "table_format", "nested_hints",
               "references")


def _name_of(data: Any) -> Optional[str]:
    name = getattr(data, "__name__", None)
    if isinstance(name, str) and name != "<lambda>":
        return name
    return None


def with_table_name(item: Any, table_name: str) -> DataItemWithMeta:
    """Marks `item` (a row or a page of rows) to go to table `table_name` when a resource yields
    it; the resource's other hints apply to that table too."""
    return DataItemWithMeta(TableNameMeta(table_name), item)


def with_hints(item: Any, hints: Optional[Dict[str, Any]] = None, create_table_variant: bool = False) -> DataItemWithMeta:
    """Marks `item` to update the resource's hints (made with `dlt.mark.make_hints`) from this item
    on; with `create_table_variant=True` the hints are a variant for the table they name
    (`table_name` is then required) and the item goes to that table."""
    from dlt.extract.hints import HintsMeta

    return DataItemWithMeta(HintsMeta(hints, create_table_variant), item)


class DltResource:
    _name_fn: Optional[Callable[[Dict[str, Any]], str]] = None  # a name given as a function of the call's arguments
    _validator: Any = None  # dlt's PydanticValidator, made from a model given as `columns`

    def __init__(self, name: str, fn: Optional[Callable] = None, data: Any = None, *,
                 hints: Optional[Dict[str, Any]] = None, selected: bool = True,
                 parent: Optional["DltResource"] = None, section: Optional[str] = None,
                 parallelized: bool = False) -> None:
        self._name = name
        self._fn = fn            # the decorated function (generator function or transformer)
        self._data = data        # data given directly (list, generator, iterator, dict)
        self._args: tuple = ()
        self._kwargs: Dict[str, Any] = {}
        self._bound = fn is None
        self._parent = parent
        self._steps: List[Any] = []
        self._hints: Dict[str, Any] = dict(hints or {})
        self.selected = selected
        self.section = section
        self.parallelized = parallelized
        self.source_name: Optional[str] = None

    # --- what dlt's users call ---------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def state(self) -> Dict[str, Any]:
        """The resource's state in the active pipeline (dlt.current.resource_state() of its name);
        dlt's PipelineStateNotAvailable without one."""
        from dlt.pipeline import current

        return current.resource_state(self._name, current.source_state(self.source_name))

    @property
    def table_name(self) -> Any:
        """The table's name, or the function of an item that names it (dlt's dynamic tables)."""
        return self._hints.get("table_name") or self._name

    @table_name.setter
    def table_name(self, value: Any) -> None:
        self.apply_hints(table_name=value)

    @property
    def max_table_nesting(self) -> Optional[int]:
        """The resource's max_table_nesting hint (None: the source's or the schema's applies)."""
        v = self._hints.get("max_table_nesting")
        return v if isinstance(v, int) else None

    @max_table_nesting.setter
    def max_table_nesting(self, value: Optional[int]) -> None:
        if value is None:
            self._hints.pop("max_table_nesting", None)
        else:
            self._hints["max_table_nesting"] = value

    def _table_name_fn(self) -> Optional[Callable[[Any], str]]:
        t = self._hints.get("table_name")
        return t if callable(t) else None

    @property
    def write_disposition(self) -> str:
        return self._hints.get("write_disposition") or "append"

    @write_disposition.setter
    def write_disposition(self, value: str) -> None:
        self.apply_hints(write_disposition=value)

    @property
    def is_transformer(self) -> bool:
        return self._parent is not None or bool(self._hints.get("_is_transformer"))

    @property
    def incremental(self):
        from dlt.extract.incremental import find_incremental

        from dlt.extract.incremental import incremental_param

        hint = self._hints.get("incremental")
        if hint is not None and (self._fn is None or incremental_param(self._fn) is None):
            return hint
        return find_incremental(self) or hint

    def compute_table_schema(self, item: Any = None) -> Dict[str, Any]:
        name = self.table_name
        if callable(name):
            if item is None:
                from dlt.extract.exceptions import DataItemRequiredForDynamicTableHints

                raise DataItemRequiredForDynamicTableHints(self._name)
            name = name(item)
        t: Dict[str, Any] = {"name": name, "write_disposition": self.write_disposition, "resource": self._name}
        cols = _hints.columns_list(self._hints.get("columns"))
        if cols:
            t["columns"] = {c["name"]: c for c in cols}
        return t

    def __call__(self, *args: Any, **kwargs: Any) -> "DltResource":
        """Binds the arguments of a parametrized resource (or the item of a transformer)."""
        if self._fn is None:
            raise TypeError(f"resource `{self._name}` is not callable: it was made from data, not a function")
        r = self._clone()
        r._args, r._kwargs, r._bound = args, kwargs, True
        if self._name_fn is not None:
            # dlt's dynamic name: the function gets the arguments of this call (defaults not applied)
            params = list(inspect.signature(self._fn).parameters.values())
            if self._parent is not None or self._hints.get("_is_transformer"):
                params = params[1:]  # a transformer's first argument is the data item
            bound = inspect.Signature(params).bind(*args, **kwargs)
            r._name = self._name_fn(bound.arguments)
            r._name_fn = None
        return r

    def bind(self, *args: Any, **kwargs: Any) -> "DltResource":
        return self(*args, **kwargs)

    def with_name(self, new_name: str) -> "DltResource":
        r = self._clone()
        r._name = new_name
        return r

    def apply_hints(self, table_name: Any = None, parent_table_name: Any = None, write_disposition: Any = None,
                    columns: Any = None, primary_key: Any = None, merge_key: Any = None,
                    schema_contract: Any = None, incremental: Any = None, max_table_nesting: Any = None,
                    table_format: Any = None, file_format: Any = None, **other: Any) -> "DltResource":
        if other.get("references") is not None:
            # as dlt: references to a table replace the earlier ones to it
            self._hints["references"] = _hints.merge_references(self._hints.get("references"), other["references"])
        if other.get("nested_hints") is not None:
            _hints.nested_hints_list(other["nested_hints"])  # refused here when malformed
            # as dlt: the hints of each nested path replace that path's earlier ones
            self._hints["nested_hints"] = {**(self._hints.get("nested_hints") or {}), **other["nested_hints"]}
        given = dict(table_name=table_name, write_disposition=write_disposition, columns=columns,
                     primary_key=primary_key, merge_key=merge_key, schema_contract=schema_contract,
                     incremental=incremental, max_table_nesting=max_table_nesting,
                     table_format=table_format, file_format=file_format)
        for k, v in given.items():
            if v is None:
                continue
            if k == "table_name" and not callable(v) and not isinstance(v, str):
                raise ValueError(f"resource `{self._name}`: table_name must be a string or a function of an item "
                                 f"that returns one, got {type(v).__name__}")
            if k == "write_disposition":
                _hints.write_disposition_name(v)
                _hints.merge_options(v)
            if k == "columns":
                # as dlt: the columns given are kept for the validator (a Pydantic model), and
                # merged into the resource's columns (a column's hints update its earlier ones)
                if isinstance(v, type) or not callable(v):
                    _hints.columns_list(v)  # malformed columns (a class not a Pydantic model) are refused here
                self._hints["_original_columns"] = v
                v = _hints.merge_columns_hint(self._hints.get("columns"), v)
            self._hints[k] = v
        if columns is not None or schema_contract is not None:
            # dlt's validator: made again when the columns or the contract change
            from dlt.extract.validation import create_item_validator

            self._validator, contract = create_item_validator(self._hints.get("_original_columns"),
                                                              self._hints.get("schema_contract"))
            if contract is not None:
                self._hints["schema_contract"] = contract
        return self

    @property
    def validator(self) -> Any:
        """The item validator made from a Pydantic model given as `columns` (None without one);
        set it to replace or (with None) remove it."""
        return self._validator

    @validator.setter
    def validator(self, validator: Any) -> None:
        self._validator = validator

    @property
    def schema_contract(self) -> Any:
        return self._hints.get("schema_contract")

    @property
    def columns(self) -> Any:
        """As dlt: the columns hint, a dict of column name -> column schema that may be changed in
        place (the next extract uses it); a function of the item or a Pydantic model as given;
        None without one."""
        cols = self._hints.get("columns")
        if cols is None or isinstance(cols, dict) or callable(cols):
            return cols
        as_dict = {c["name"]: c for c in _hints.columns_list(cols) or []}
        self._hints["columns"] = as_dict
        return as_dict

    @property
    def table_format(self) -> Any:
        return self._hints.get("table_format")

    @property
    def nested_hints(self) -> Any:
        return self._hints.get("nested_hints")

    @property
    def has_dynamic_table_name(self) -> bool:
        """Whether the table name is a function of each item (dlt's dynamic table name)."""
        return self._table_name_fn() is not None

    def add_map(self, item_map: Callable[[Any], Any], insert_at: Optional[int] = None) -> "DltResource":
        return self._add_step(MapItem(item_map), insert_at)

    def add_yield_map(self, item_map: Callable[[Any], Any], insert_at: Optional[int] = None) -> "DltResource":
        return self._add_step(YieldMapItem(item_map), insert_at)

    def add_filter(self, item_filter: Callable[[Any], bool], insert_at: Optional[int] = None) -> "DltResource":
        return self._add_step(FilterItem(item_filter), insert_at)

    def add_limit(self, max_items: Optional[int] = None, max_time: Optional[float] = None,
                  count_rows: Optional[bool] = False) -> "DltResource":
        """dlt's limit: stop after `max_items` yields (pages count as one; rows with `count_rows`,
        the last page kept whole) or `max_time` seconds. A later add_limit replaces this one.
        `max_items` None or negative: no limit by count."""
        if max_items is not None and max_items < 0:
            max_items = None
        self._steps = [s for s in self._steps if not isinstance(s, LimitItem)]
        return self._add_step(LimitItem(max_items, max_time, bool(count_rows)), None)

    def parallelize(self) -> "DltResource":
        """As dlt: marks the resource to extract in parallel with the others (what
        `parallelized=True` does); returns the resource."""
        self.parallelized = True
        return self

    def __or__(self, transform: Any) -> "DltResource":
        """`resource | transformer`: the transformer reads this resource's items."""
        if isinstance(transform, DltResource):
            r = transform._clone()
            r._parent = self
            return r
        if callable(transform):
            return self._clone().add_map(transform)
        raise TypeError(f"cannot pipe resource `{self._name}` into {transform!r}")

    def __ror__(self, data: Any) -> "DltResource":
        """`data | transformer`."""
        return DltResource.from_data(data, name=_name_of(data) or self._name) | self

    def __iter__(self) -> Iterator[Any]:
        """Evaluates the resource in Python (as dlt's list(resource)): rows, pages flattened. Its
        incremental filters the rows as in an extract (where dlt places it: after the maps and
        filters, before the limit), from a copy of its state in the active pipeline (as dlt: empty
        without one, where the cursor starts at initial_value) that is then discarded."""
        for item in self._iter_items():
            _, item = unwrap(item)
            if isinstance(item, list):
                yield from item
            else:
                yield item

    def _iter_items(self) -> Iterator[Any]:
        inc = self.incremental
        if inc is None or hasattr(self, "_sql_options"):
            return self._items()  # (a SQL table's rows come from the engine filtered by its cursor)
        cursor = inc._bind_python(self, _stored_resource_state(self))  # raises without a cursor_path
        observer = inc._observe(self, cursor)
        return self._items(before_limit=lambda items: cursor.rows(observer.observe(items)))

    def __repr__(self) -> str:
        kind = "transformer" if self.is_transformer else "resource"
        return f"DltResource({kind} `{self._name}`, table `{self.table_name}`)"

    # --- the engine's side ------------------------------------------------------------------
    @staticmethod
    def from_data(data: Any, name: Optional[str] = None, **hints: Any) -> "DltResource":
        if isinstance(data, DltResource):
            return data
        if name is None or callable(name):
            # a table_name function names tables, not the resource: its name comes from the data
            name = _name_of(data)
        if name is None:
            raise ResourceNameMissing()
        if inspect.isgeneratorfunction(data) or (callable(data) and not isinstance(data, (list, dict, str))
                                                 and not hasattr(data, "__iter__")):
            r = DltResource(name, fn=data)
            r._bound = True
        else:
            if isinstance(data, (str, bytes)) or data is None:
                raise InvalidResourceDataType(name, data, type(data),
                                              "Strings, bytes and None cannot be data items of a resource; "
                                              "yield dicts (rows) or lists of them.")
            r = DltResource(name, data=data)
        r.apply_hints(**{k: v for k, v in hints.items() if v is not None})
        return r

    def _clone(self) -> "DltResource":
        r = copy(self)
        r._steps = list(self._steps)
        r._hints = dict(self._hints)
        return r

    def _add_step(self, step: Any, insert_at: Optional[int]) -> "DltResource":
        if insert_at is None:
            self._steps.append(step)
        else:
            self._steps.insert(insert_at, step)
        return self

    def _raw_items(self) -> Iterator[Any]:
        """Items as the user's code yields them, before the steps, with what is not data yet
        (awaitables, async generators, deferred callables) evaluated as dlt's pipe does."""
        from dlt.extract.concurrency import extract_settings, resolved

        return resolved(self._user_items(), lambda: extract_settings(self.source_name, self._name), self._name)

    def _user_items(self) -> Iterator[Any]:
        if self._parent is not None:
            fn = self._fn
            takes_meta = fn is not None and _takes_meta(fn)
            # dlt's parallelized transformer that returns its result: each call runs in the pool
            deferred = self.parallelized and fn is not None and not _is_generator_or_async(fn)
            for item in _as_current(getattr(self._parent, "name", None), self._parent._items_for_child()):
                # As dlt: the transformer gets the data (and the mark as `meta` when it takes
                # one); what it yields keeps the parent item's mark unless it marks it itself.
                meta, item = unwrap(item)
                if fn is None:
                    out = item
                elif deferred:
                    kwargs = dict(self._kwargs, meta=meta) if takes_meta else self._kwargs
                    out = functools.partial(fn, item, *self._args, **kwargs)
                    yield rewrap(meta, out)
                    continue
                elif takes_meta:
                    out = fn(item, *self._args, meta=meta, **self._kwargs)
                else:
                    out = fn(item, *self._args, **self._kwargs)
                for o in _as_items(out):
                    yield o if meta is None or isinstance(o, DataItemWithMeta) else rewrap(meta, o)
            return
        if self._fn is not None:
            from dlt.common.configuration.inject import call_with_config

            out = call_with_config(self._fn, self._args, self._kwargs, section=self.section,
                                   source_name=self.source_name, resource_name=self._name)
            yield from _as_items(out)
            return
        yield from _as_items(self._data)

    def _items_for_child(self) -> Iterator[Any]:
        """The items a transformer reads from this resource: after its incremental, as in dlt,
        where the Incremental step sits in the parent's pipe, so a row the cursor drops makes no
        transformer call. Its state is the resource's own: in a run the one stored with the
        package (the cursor moves even when only the transformer is loaded), outside a run a copy
        that is discarded."""
        inc = self.incremental
        if inc is None or not inc.cursor_path or inc._in_python or hasattr(self, "_sql_options"):
            # (a Python cursor filters in _items' own step; a SQL table's rows come filtered)
            return self._items()
        from dlt.common.exceptions import PipelineStateNotAvailable
        from dlt.pipeline import current

        try:
            state = current.resource_state(self.name)
        except PipelineStateNotAvailable:
            state = {}
        cursor = inc.copy()._bind_python(self, state)
        return self._items(before_limit=cursor.rows)

    def _items(self, before_limit: Optional[Callable[[Any], Any]] = None) -> Iterator[Any]:
        """The items after the steps; `before_limit` (the incremental's cursor step) runs where dlt
        places it: after the maps and filters, before the limit."""
        items: Any = self._raw_items()
        validator = self._validator  # after the maps and filters, before the cursor (as dlt)
        for step in self._steps:
            if isinstance(step, LimitItem):
                if validator is not None:
                    items, validator = validator.items(items, self._name), None
                if before_limit is not None:
                    items, before_limit = before_limit(items), None
            items = step(items)
        if validator is not None:
            items = validator.items(items, self._name)
        if before_limit is not None:
            items = before_limit(items)
        return iter(items)

    def _native_options(self, defaults: Dict[str, Any]) -> Dict[str, Any]:
        h = dict(defaults)
        h.update({k: v for k, v in self._hints.items() if v is not None})
        table = h.get("table_name")
        # a table_name function routes each row itself (the engine calls it, see _resources)
        opts: Dict[str, Any] = {"name": self._name, "table_name": self._name if callable(table) else table or self._name}
        wd = _hints.write_disposition_name(h.get("write_disposition"))
        if wd:
            opts["write_disposition"] = wd
        merge = _hints.merge_options(h.get("write_disposition"))
        if merge:
            opts["merge"] = merge
        inc = self.incremental
        inc_opts = inc._native_options(self) if inc is not None and not inc._in_python else None
        # dlt's _merge_keys: a direct key replaces the columns' key flags (an empty one leaves
        # no key); without one the flagged columns are the key (the engine applies the flags)
        cols, primary_key, merge_key = _hints.apply_key_hints(_hints.columns_list(h.get("columns")),
                                                              h.get("primary_key"), h.get("merge_key"))
        if primary_key is not None:
            opts["primary_key"] = primary_key
        if merge_key is not None:
            opts["merge_key"] = merge_key
        if cols:
            opts["columns"] = [_hints.engine_column(c) for c in cols]
        contract = _hints.schema_contract_dict(h.get("schema_contract"))
        if contract:
            opts["schema_contract"] = contract
        if h.get("max_table_nesting") is not None:
            opts["max_table_nesting"] = int(h["max_table_nesting"])
        if h.get("nested_hints"):
            opts["nested"] = _hints.nested_hints_list(h["nested_hints"])
        if h.get("references"):  # kept in the table's schema
            opts["references"] = _hints.references_list(h["references"])
        if h.get("file_format") is not None:  # dlt's file_format hint (kept in the table's schema)
            opts["file_format"] = str(h["file_format"])
        if h.get("root_key") is not None:  # its source's root_key (dlt's root_key_propagation)
            opts["root_key"] = bool(h["root_key"])
        if h.get("schema_settings"):  # its source's schema settings (JSON text)
            opts["schema_settings"] = h["schema_settings"]
        if inc_opts is not None:
            opts["incremental"] = inc_opts
        return opts


def _stored_resource_state(resource: DltResource) -> Dict[str, Any]:
    """A copy of `resource`'s state as the active pipeline stored it ({} without one), under the
    key dlt reads it from outside a run: its source's name, else the pipeline's default schema."""
    from dlt.pipeline import current

    p = current.pipeline()
    if p is None:
        return {}
    try:
        key = resource.source_name or p.default_schema_name or p.pipeline_name
        state = p.state
    except Exception:  # a pipeline that has no state yet
        return {}
    found = state.get("sources", {}).get(key, {}).get("resources", {}).get(resource.name)
    return found if isinstance(found, dict) else {}


def _is_generator_or_async(fn: Callable) -> bool:
    return inspect.isgeneratorfunction(fn) or inspect.isasyncgenfunction(fn) or inspect.iscoroutinefunction(fn)


def _takes_meta(fn: Callable) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return "meta" in params


def _as_items(out: Any) -> Iterator[Any]:
    if out is None:
        return
    if isinstance(out, (dict, str, bytes)) or not hasattr(out, "__iter__"):
        yield out
        return
    yield from out


def _as_current(name: Optional[str], items: Iterable[Any]) -> Iterator[Any]:
    """`items` with `name` as the resource being extracted while each is made: as dlt runs a
    transformer's parent under the parent's pipe, the parent's code sees its own
    dlt.current.resource_state() and resource_name(), the transformer's code its own."""
    from dlt.pipeline import current

    it = iter(items)
    if not name:
        yield from it
        return
    running = current._parent_running
    while True:
        outer = getattr(running, "name", None)
        running.name = name
        try:
            item = next(it)
        except StopIteration:
            return
        finally:
            running.name = outer
        yield item
