"""The item steps of a resource: what add_map, add_filter and add_limit put between a
resource's generator and the engine. A step sees each item as the generator yields it; map and
filter work on the rows of a page (a list) one by one, as in dlt."""

from typing import Any, Callable, Iterable, Iterator


class MapItem:
    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn

    def __call__(self, items: Iterable[Any]) -> Iterator[Any]:
        fn = self.fn
        for item in items:
            if isinstance(item, list):
                yield [fn(row) for row in item]
            else:
                yield fn(item)


class FilterItem:
    def __init__(self, fn: Callable[[Any], bool]) -> None:
        self.fn = fn

    def __call__(self, items: Iterable[Any]) -> Iterator[Any]:
        fn = self.fn
        for item in items:
            if isinstance(item, list):
                kept = [row for row in item if fn(row)]
                if kept:
                    yield kept
            elif fn(item):
                yield item


class YieldMapItem:
    """add_yield_map: a function returning an iterator of new items per item."""

    def __init__(self, fn: Callable[[Any], Iterable[Any]]) -> None:
        self.fn = fn

    def __call__(self, items: Iterable[Any]) -> Iterator[Any]:
        for item in items:
            rows = item if isinstance(item, list) else [item]
            for row in rows:
                yield from self.fn(row)


class LimitItem:
    """Stops after `max_items` yielded items (a page counts as one) or `max_time` seconds."""

    def __init__(self, max_items: Any = None, max_time: Any = None) -> None:
        self.max_items = max_items
        self.max_time = max_time

    def __call__(self, items: Iterable[Any]) -> Iterator[Any]:
        import time

        if self.max_items is not None and self.max_items <= 0:
            return
        started = time.monotonic()
        count = 0
        it = iter(items)
        for item in it:
            yield item
            count += 1
            if self.max_items is not None and count >= self.max_items:
                break
            if self.max_time is not None and time.monotonic() - started >= self.max_time:
                break
        close = getattr(it, "close", None)
        if close:
            close()
