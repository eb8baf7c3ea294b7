"""dlt.mark: marks for items a resource yields (where they go, which hints they bring)."""

from dlt.extract.hints import make_hints, make_nested_hints
from dlt.extract.resource import with_hints, with_table_name

__all__ = ["with_table_name", "with_hints", "make_hints", "make_nested_hints"]
