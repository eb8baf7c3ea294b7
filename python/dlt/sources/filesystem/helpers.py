"""dlt.sources.filesystem.helpers: what of dlt's helpers module dlt-cpp has. There is no fsspec
here: `fsspec_from_resource` says so and what to use instead."""

from typing import Any, Dict, List


def fsspec_from_resource(filesystem_instance: Any) -> Any:
    """dlt's authorized fsspec client of a filesystem resource's bucket: dlt-cpp has no fsspec, so
    this raises NotImplementedError naming what to use instead."""
    name = getattr(filesystem_instance, "name", "filesystem")
    raise NotImplementedError(
        f"fsspec_from_resource(`{name}`): dlt-cpp has no fsspec filesystem client. List the bucket's files with "
        "filesystem(bucket_url, file_glob=...) and read each with its read_bytes() or open(); local files can be "
        "handled with os / shutil on FileItemDict.local_file_path")


def add_columns(columns: List[str], rows: List[List[Any]]) -> List[Dict[str, Any]]:
    """The rows as dicts of `columns` (dlt's helper)."""
    return [dict(zip(columns, row)) for row in rows]


__all__ = ["fsspec_from_resource", "add_columns"]
