"""dlt.common.storages: the FileItem types of the filesystem source (fsspec_filesystem)."""

from dlt.common.storages.fsspec_filesystem import FileItem, FileItemDict

__all__ = ["FileItem", "FileItemDict"]
