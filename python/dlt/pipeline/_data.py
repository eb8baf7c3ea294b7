"""What pipeline.run()/extract() are given, on the way to the engine: the schema each part goes to
(one per source, as dlt keeps them), transformers' parents read once (_Tee, _ReplayParent), and
the callable through which the engine opens a resource's items (_opener)."""

from typing import Any, Dict, List, Optional

from dlt.extract.marks import MarkConverter
from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource
from dlt.pipeline import current


class _Tee:
    """The items of a resource read once and replayed to the transformers that read it, when the
    resource itself is loaded too."""

    def __init__(self, resource: DltResource) -> None:
        self.resource = resource
        self.items: Optional[List[Any]] = None

    def record(self, items: Any) -> Any:
        self.items = []
        for item in items:
            self.items.append(item)
            yield item

    def replay(self) -> Any:
        if self.items is None:  # the parent was not read yet: read it now
            yield from self.resource._items()
        else:
            yield from self.items


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


def _opener(resource: DltResource, tee: Optional[_Tee], defaults: Dict[str, Any]) -> Any:
    def open_items(last_value_json: Optional[str]) -> Any:
        current._enter_resource(resource.name)
        inc = resource.incremental
        cursor = None
        if inc is not None and inc._in_python:
            # a custom last_value_func or a lag: filtered here, its state kept in the resource's state
            cursor = inc._bind_python(resource, current.resource_state(resource.name))
        elif inc is not None:
            inc._set_state(last_value_json)
        items = resource._items()
        if cursor is not None:
            items = cursor.rows(items)
        if tee is not None:
            items = tee.record(items)
        return items, MarkConverter(resource, defaults)

    return open_items
