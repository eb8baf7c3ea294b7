"""The item steps of a resource: what add_map, add_filter and add_limit put between a
resource's generator and the engine. A step sees each item as the generator yields it; map and
filter work on the rows of a page (a list) one by one, as in dlt. An item marked with
`dlt.mark.with_table_name` / `with_hints` (DataItemWithMeta) keeps its mark through the steps:
they work on its data."""

from typing import Any, Callable, Iterable, Iterator, List, Optional, Tuple


class DataItemWithMeta:
    """An item (a row or a page) with a mark for the extract: TableNameMeta or HintsMeta."""

    __slots__ = ("meta", "data")

    def __init__(self, meta: Any, data: Any) -> None:
        self.meta = meta
        self.data = data

    def __repr__(self) -> str:
        return f"DataItemWithMeta({self.meta!r}, {self.data!r})"


class TableNameMeta:
    """dlt.mark.with_table_name: the item goes to this table."""

    __slots__ = ("table_name",)

    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    def __repr__(self) -> str:
        return f"TableNameMeta({self.table_name!r})"


class EngineMeta:
    """A mark as the engine reads it (see python/src/py_source.h): the table the item goes to,
    and the native options of that table (a with_hints variant) or of the resource from now on
    (with_hints without a variant). Made from TableNameMeta/HintsMeta when a resource is read."""

    __slots__ = ("table_name", "table_options", "resource_options")

    def __init__(self, table_name: Any = None, table_options: Any = None, resource_options: Any = None) -> None:
        self.table_name = table_name
        self.table_options = table_options
        self.resource_options = resource_options


def unwrap(item: Any) -> Tuple[Any, Any]:
    """(meta, data) of an item; meta is None for an unmarked item."""
    if isinstance(item, DataItemWithMeta):
        return item.meta, item.data
    return None, item


def rewrap(meta: Any, data: Any) -> Any:
    return data if meta is None else DataItemWithMeta(meta, data)


class MapItem:
    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn

    def __call__(self, items: Iterable[Any]) -> Iterator[Any]:
        fn = self.fn
        for item in items:
            meta, item = unwrap(item)
            if isinstance(item, list):
                yield rewrap(meta, [fn(row) for row in item])
            else:
                yield rewrap(meta, fn(item))


class FilterItem:
    def __init__(self, fn: Callable[[Any], bool]) -> None:
        self.fn = fn

    def __call__(self, items: Iterable[Any]) -> Iterator[Any]:
        fn = self.fn
        for item in items:
            meta, data = unwrap(item)
            if isinstance(data, list):
                kept = [row for row in data if fn(row)]
                if kept:
                    yield rewrap(meta, kept)
            elif fn(data):
                yield item


class YieldMapItem:
    """add_yield_map: a function returning an iterator of new items per item."""

    def __init__(self, fn: Callable[[Any], Iterable[Any]]) -> None:
        self.fn = fn

    def __call__(self, items: Iterable[Any]) -> Iterator[Any]:
        for item in items:
            meta, item = unwrap(item)
            rows = item if isinstance(item, list) else [item]
            for row in rows:
                for out in self.fn(row):
                    yield rewrap(meta, out)


class LimitItem:
    """Stops after `max_items` yielded items (a page counts as one; with `count_rows` its rows do,
    an empty page none) or after `max_time` seconds: the item that reaches the limit is kept, the
    generator is then closed, as dlt's limit does. `max_items=0` yields nothing."""

    def __init__(self, max_items: Any = None, max_time: Any = None, count_rows: bool = False) -> None:
        self.max_items = max_items
        self.max_time = max_time
        self.count_rows = count_rows

    def __call__(self, items: Iterable[Any]) -> Iterator[Any]:
        import time

        if self.max_items is not None and self.max_items <= 0:
            return
        started = time.monotonic()
        count = 0
        it = iter(items)
        for item in it:
            yield item
            count += _row_count(unwrap(item)[1]) if self.count_rows else 1
            if self.max_items is not None and count >= self.max_items:
                break
            if self.max_time is not None and time.monotonic() - started > self.max_time:
                break
        close = getattr(it, "close", None)
        if close:
            close()


def _row_count(data: Any) -> int:
    """Rows of an item as dlt counts them: a list's length (the rows of its tables when it holds
    Arrow tables or frames), a table's rows, 1 for a single row."""
    if isinstance(data, list):
        if data and hasattr(data[0], "shape"):
            return sum(len(t) for t in data)
        return len(data)
    return len(data) if hasattr(data, "shape") else 1


def page_steps(steps: List[Any]) -> Optional[Callable[[str], List[Any]]]:
    """The add_map / add_filter / add_yield_map steps of a resource whose rows the engine reads
    (sql_database, rest_api, file readers), as one function over a page of its rows: the page as
    typed JSON text (a JSON array) -> the rows that come out, the steps run over the page as dlt
    runs them over a yielded page. None without such steps."""
    row_steps = [s for s in steps if isinstance(s, (MapItem, FilterItem, YieldMapItem))]
    if not row_steps:
        return None
    from dlt.common.json import typed_loads

    def apply(text: str) -> List[Any]:
        items: Iterator[Any] = iter([typed_loads(text)])
        for step in row_steps:
            items = step(items)
        out: List[Any] = []
        for item in items:
            _meta, data = unwrap(item)
            if isinstance(data, list):
                out.extend(data)
            else:
                out.append(data)
        return out

    return apply

