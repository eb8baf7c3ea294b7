"""dlt.mark on the engine: turns the marks a resource yields (with_table_name, with_hints) into
the EngineMeta the binding reads (python/src/py_source.h), while the resource is read.

As dlt: with_table_name sends the item to that table with the resource's hints; with_hints
updates the resource's hints from that item on (a `table_name` among them sends this and every
later unmarked item to that table), and with create_table_variant=True makes the hints a variant
of the table they name, for the items that go there.
"""

from typing import Any, Dict, Optional

from dlt.extract.hints import HINT_KEYS, HintsMeta
from dlt.extract.items import DataItemWithMeta, EngineMeta


class MarkConverter:
    """Called by the engine with each item marked by with_hints (one converter per read of a
    resource, so it keeps the hints as they change); returns the item marked with EngineMeta.
    with_table_name marks are read by the engine as they are."""

    def __init__(self, resource: Any, defaults: Dict[str, Any]) -> None:
        self.resource = resource
        self.defaults = defaults
        self.current: Any = None  # a copy of the resource whose hints with_hints changed
        self.table: Optional[str] = None  # the table a with_hints table_name moved later items to
        self.variants: Dict[str, Any] = {}  # table -> the copy of the resource with its variant

    def __call__(self, item: DataItemWithMeta) -> DataItemWithMeta:
        meta = item.meta
        if not isinstance(meta, HintsMeta):
            raise ValueError(f"resource `{self.resource.name}`: an item is marked with {meta!r}; "
                             "dlt.mark.with_table_name and dlt.mark.with_hints make the marks this engine reads")
        hints = _hint_args(self.resource, meta.hints or {})
        if meta.create_table_variant:
            name = hints.get("table_name")
            if not isinstance(name, str) or not name:
                raise ValueError(f"resource `{self.resource.name}`: dlt.mark.with_hints(..., create_table_variant=True) "
                                 "needs a table_name (a str) in its hints")
            v = self.variants.get(name) or (self.current or self.resource)._clone()
            v.apply_hints(**hints)
            self.variants[name] = v
            return DataItemWithMeta(EngineMeta(name, v._native_options(self.defaults)), item.data)
        self.current = (self.current or self.resource)._clone()
        self.current.apply_hints(**hints)
        if isinstance(hints.get("table_name"), str):
            self.table = hints["table_name"]
        return DataItemWithMeta(EngineMeta(self.table, None, self.current._native_options(self.defaults)), item.data)


def _hint_args(resource: Any, hints: Dict[str, Any]) -> Dict[str, Any]:
    """The apply_hints arguments of hints made by make_hints (or written as dlt's hint dicts)."""
    out = {}
    for k, v in hints.items():
        if k == "original_columns":
            continue
        if k == "columns" and "original_columns" in hints:
            v = hints["original_columns"]
        if k not in HINT_KEYS:
            raise NotImplementedError(f"resource `{resource.name}`: dlt.mark.with_hints: the hint `{k}` is not "
                                      f"supported by this engine (supported: {', '.join(HINT_KEYS)})")
        if k == "incremental":
            raise NotImplementedError(f"resource `{resource.name}`: dlt.mark.with_hints cannot set an incremental "
                                      "while the resource is read; pass it to @dlt.resource or apply_hints")
        if v is not None:
            out[k] = v
    return out
