"""dlt.sources: incremental, DltSource, DltResource and the item types."""

from typing import Any, Iterator, List, Union

from dlt.extract.incremental import Incremental as incremental  # noqa: N813 (dlt's name)
from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource

TDataItem = Any
TDataItems = Union[TDataItem, List[TDataItem]]

__all__ = ["incremental", "DltSource", "DltResource", "TDataItem", "TDataItems"]
