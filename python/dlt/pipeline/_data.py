"""What pipeline.run()/extract() are given, on the way to the engine: the schema each part goes to
(one per source, as dlt keeps them), transformers' parents read once (_Tee, _ReplayParent), and
the callable through which the engine opens a resource's items (_opener), and what the engine is
given for each resource of a run (engine_resources)."""

import json
from typing import Any, Dict, List, Optional, Sequence, Tuple

from dlt.extract.items import LimitItem
from dlt.extract.marks import MarkConverter
from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource
from dlt.extract.validation import may_yield_models, models_as_rows
from dlt.pipeline import current


class _Tee:
    """The items of a resource read once and replayed to the transformers that read it, when the
    resource itself is loaded too."""

    def __init__(self, resource: DltResource) -> None:
        self.resource = resource
        self.items: Optional[List[Any]] = None
        # The resource's state as the run starts (read now: during the run the pipeline is busy),
        # for filtering the replayed items by its cursor.
        inc = resource.incremental
        self.state: Optional[Dict[str, Any]] = None
        if inc is not None and inc.cursor_path and not inc._in_python and not hasattr(resource, "_sql_options"):
            import copy

            from dlt.extract.resource import _stored_resource_state

            self.state = copy.deepcopy(_stored_resource_state(resource))

    def record(self, items: Any) -> Any:
        self.items = []
        for item in items:
            self.items.append(item)
            yield item

    def replay(self) -> Any:
        if self.items is None:  # the parent was not read yet: read it now
            yield from self.resource._items_for_child()
            return
        if self.state is None:
            yield from self.items
            return
        # The engine filtered the parent's rows by its cursor; the transformer gets the same rows,
        # filtered here from the state the run started with (the engine moves the real one).
        cursor = self.resource.incremental.copy()._bind_python(self.resource, self.state)
        yield from cursor.rows(iter(self.items))


def _schema_groups(data: Any, schema: Any) -> List[Any]:
    """[(schema name, data)]: the schema each part of `data` goes to. dlt names a source's schema
    after the source; data and resources run alone go to the pipeline's default schema (None),
    as does everything when `schema` is given (then its name)."""
    if schema is not None:
        name = schema if isinstance(schema, str) else getattr(schema, "name", None)
        return [(name, data)]
    if data is None:
        return [(None, data)]
    if isinstance(data, DltSource):
        return [(data.name, data)]
    if isinstance(data, (list, tuple)) and data and all(isinstance(d, (DltSource, DltResource)) for d in data):
        groups: Dict[Optional[str], List[Any]] = {}
        for d in data:
            groups.setdefault(d.name if isinstance(d, DltSource) else None, []).append(d)
        return [(name, part) for name, part in groups.items()]
    return [(None, data)]


class _ReplayParent:
    """Stands for a transformer's parent whose items are recorded by a _Tee."""

    def __init__(self, tee: _Tee) -> None:
        self._tee = tee
        self._parent = None

    def _items(self) -> Any:
        return self._tee.replay()

    def _items_for_child(self) -> Any:
        return self._tee.replay()


def _opener(resource: DltResource, tee: Optional[_Tee], defaults: Dict[str, Any]) -> Any:
    def open_items(last_value_json: Optional[str]) -> Any:
        current._enter_resource(resource.name)
        inc = resource.incremental
        cursor_step = None
        if inc is not None:
            cursor = None
            if inc._in_python:
                # a custom last_value_func or a lag: filtered here, its state kept in the resource's state
                cursor = inc._bind_python(resource, current.resource_state(resource.name))
            else:
                inc._set_state(last_value_json)
            # the cursor's step (as dlt places it: before add_limit) sets start/end_out_of_range
            observer = inc._observe(resource, cursor) if inc.cursor_path else None
            # With add_limit, the rows the engine's cursor will drop must not count (dlt counts the
            # pages after its Incremental step, so split loading moves on run after run): they are
            # dropped here too, by a Python cursor on a copy of the state (the engine moves the real one).
            early = None
            if cursor is None and inc.cursor_path and any(isinstance(s, LimitItem) for s in resource._steps):
                import copy

                early = inc.copy()._bind_python(resource, copy.deepcopy(current.resource_state(resource.name)))

            def cursor_step(items: Any) -> Any:
                if observer is not None:
                    items = observer.observe(items)
                if early is not None:
                    items = early.rows(items)
                return cursor.rows(items) if cursor is not None else items

        items = resource._items(before_limit=cursor_step)
        if tee is not None:
            items = tee.record(items)  # a transformer reading it gets the items as they are
        if may_yield_models(resource):
            items = models_as_rows(items)
        return items, MarkConverter(resource, defaults)

    return open_items


def _rest_siblings(resource: Any, items: Sequence[Any]) -> List[Any]:
    """The other resources of `resource`'s REST API configuration: those of the source it was
    given with (unselected ones included), else those made with it by rest_api_resources."""
    for item in items:
        if isinstance(item, DltSource) and any(r.name == resource.name for r in item.selected_resources.values()):
            return [r for r in item.resources.values() if getattr(r, "_spec", None) is resource._spec]
    return [r for r in getattr(resource, "_siblings", []) if r.name != resource.name]


def engine_resources(data: Any, hints: Dict[str, Any], max_table_nesting: Optional[int] = None
                     ) -> Tuple[List[Any], Dict[str, DltResource]]:
    """[(engine options, open callable)] for the resources `data` stands for, and those resources
    by name (the ones being extracted). `max_table_nesting`: the destination's (a custom
    destination's, as dlt's capabilities): it replaces the sources' setting; a resource's own
    hint still wins."""
    if data is None:
        return [], {}
    items: Sequence[Any]
    if isinstance(data, (list, tuple)) and data and all(isinstance(d, (DltSource, DltResource)) for d in data):
        items = data
    else:
        items = [data]
    picked: List[Any] = []  # (resource, defaults from its source)
    for item in items:
        if isinstance(item, DltSource):
            defaults: Dict[str, Any] = {}
            if item.max_table_nesting is not None:
                defaults["max_table_nesting"] = item.max_table_nesting
            if item.schema_contract is not None:
                defaults["schema_contract"] = item.schema_contract
            if item.root_key is not None:
                defaults["root_key"] = item.root_key
            # As dlt's update_schema: the source's schema settings (dlt's defaults unless edited)
            # replace the stored schema's.
            defaults["schema_settings"] = json.dumps(item.schema._engine_settings())
            contract = item.schema.settings.get("schema_contract")
            if contract and item.schema_contract is None:
                defaults["schema_contract"] = contract
            for r in item.selected_resources.values():
                picked.append((r._clone(), defaults))
        elif isinstance(item, DltResource):
            picked.append((item._clone(), {}))
        else:
            picked.append((DltResource.from_data(item, name=hints.get("table_name")), {}))
    if max_table_nesting is not None:
        for _r, d in picked:
            d["max_table_nesting"] = max_table_nesting
    hints = dict(hints)
    settings = hints.pop("schema_settings", None)  # run(schema=...)'s, or default_schema's edits
    if settings:
        for _r, d in picked:
            d["schema_settings"] = settings
    given = {k: v for k, v in hints.items() if v is not None}
    for r, _ in picked:
        if given:
            r.apply_hints(**given)
    # A resource loaded itself and read by a transformer of the same run is read once: its
    # items are recorded while it loads and replayed to the transformer, which runs after it.
    tees: Dict[int, _Tee] = {}
    for r, _ in picked:
        parent = r._parent
        if parent is None or isinstance(parent, _ReplayParent):
            continue
        for other, _d in picked:
            if other is not r and not other.is_transformer and other.name == parent.name and \
                    other._fn is parent._fn and other._data is parent._data:
                r._parent = _ReplayParent(tees.setdefault(id(other), _Tee(other)))
                break
    picked.sort(key=lambda rd: 0 if id(rd[0]) in tees else 1)
    extracting = {r.name: r for r, _ in picked}
    from dlt.sources.filesystem import FileReaderResource
    from dlt.sources.rest_api import RestApiResource
    from dlt.sources.sql_database.helpers import SqlTableResource

    from dlt.extract.items import page_steps

    out = []
    specs: Dict[int, Any] = {}  # REST API / SQL resources of one configuration go to the engine together
    for r, defaults in picked:
        # Rows the engine reads pass through their resource's add_map/add_filter/add_yield_map.
        steps = page_steps(r._steps) if isinstance(r, (RestApiResource, FileReaderResource, SqlTableResource)) else None
        if isinstance(r, RestApiResource):
            if id(r._spec) not in specs:
                specs[id(r._spec)] = (r._spec, [], {}, {})
                out.append(specs[id(r._spec)])
                # Parents fetched only for their children run their steps too (as dlt's pipes do):
                # the steps of the spec's resources that are not extracted, from the source the
                # resource came with (or its siblings when run alone).
                for other in _rest_siblings(r, items):
                    other_steps = page_steps(other._steps)
                    if other_steps and other.name not in extracting:
                        specs[id(r._spec)][2][other.name] = other_steps
            if getattr(r, "_file_format", None) is not None:
                specs[id(r._spec)][3][r.name] = r._file_format
            specs[id(r._spec)][1].append(r.name)
            if steps:
                specs[id(r._spec)][2][r.name] = steps
            continue
        if isinstance(r, FileReaderResource):
            item = r._engine_item(defaults)  # rows read by the engine
            out.append(item + ({item[2]["name"]: steps} if steps else {},))
            continue
        if isinstance(r, SqlTableResource):
            # Tables of one sql_database() call are read over one connection.
            if id(r._sql) not in specs:
                specs[id(r._sql)] = (r._sql, [], {})
                out.append(specs[id(r._sql)])
            opts = r._sql_options(defaults)
            specs[id(r._sql)][1].append(opts)
            if steps:
                specs[id(r._sql)][2][opts["name"]] = steps
            continue
        opts = r._native_options(defaults)
        table_fn = r._table_name_fn()
        if table_fn is not None:
            out.append((opts, _opener(r, tees.get(id(r)), defaults), table_fn))  # each row to the table it names
        else:
            out.append((opts, _opener(r, tees.get(id(r)), defaults)))
    return out, extracting
