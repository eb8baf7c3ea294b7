"""dlt.extract: resources, sources and the marks for their items."""

from dlt.extract.hints import make_hints, make_nested_hints
from dlt.extract.resource import DltResource, with_hints, with_table_name
from dlt.extract.source import DltSource
from dlt.extract.decorators import defer, resource, source, transformer
from dlt.extract.incremental import Incremental

__all__ = ["DltResource", "DltSource", "with_table_name", "with_hints", "make_hints", "make_nested_hints",
           "source", "resource", "transformer", "defer", "Incremental"]
