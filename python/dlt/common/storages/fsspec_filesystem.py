"""dlt.common.storages.fsspec_filesystem: FileItemDict, the listed file of dlt.sources.filesystem
(`from dlt.common.storages.fsspec_filesystem import FileItemDict`, as dlt's custom readers import
it). dlt-cpp has no fsspec: files are read with `open()` / `read_bytes()`; `fsspec` and
`filesystem` are there only to say so."""

import gzip
import io
import mimetypes
import os
import posixpath
import tempfile
from typing import Any, List, Optional
from urllib.parse import unquote, urlparse


def local_path(url: str) -> str:
    """The local path of a file:// URL (a path without a scheme as it is)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("", "file"):
        raise NotImplementedError(f"bucket_url `{url}`: local folders (file://) and s3:// buckets are supported by "
                                  "dlt-cpp's filesystem source")
    if parsed.scheme != "file":
        return url
    # As dlt's make_local_path: a host part stays in the path (file://tmp/x is //tmp/x, which
    # POSIX reads as /tmp/x; file://localhost/x a network path).
    return ("//" + unquote(parsed.netloc) if parsed.netloc else "") + unquote(parsed.path)


def guess_mime_type(file_name: str) -> List[Optional[str]]:
    """[mime type, encoding] of a file name, as dlt guesses them: an unknown type is
    `application/<extension>` (`application/octet-stream` without one); encoding is `gzip` for .gz."""
    type_ = list(mimetypes.guess_type(posixpath.basename(file_name), strict=False))
    if not type_[0]:
        type_[0] = "application/" + (posixpath.splitext(file_name)[1][1:] or "octet-stream")
    return type_


def _no_fsspec(what: str) -> NotImplementedError:
    return NotImplementedError(
        f"FileItemDict.{what}: dlt-cpp has no fsspec filesystem client; read the file with item.read_bytes() or "
        "item.open() (a local file's path is item.local_file_path), and list files with "
        "dlt.sources.filesystem.filesystem()")


class FileItemDict(dict):
    """A listed file: file_name, relative_path, file_url, mime_type, modification_date,
    size_in_bytes (and encoding for gzip files, file_content with extract_content), as dlt's
    FileItem, with open() and read_bytes()."""

    _s3: Any = None  # (S3Bucket, key) of an object listed in an s3:// bucket

    def __init__(self, mapping: Any = (), fsspec: Any = None, **kwargs: Any) -> None:
        super().__init__(mapping, **kwargs)
        self._fsspec = fsspec
        if isinstance(mapping, FileItemDict):
            self._s3 = mapping._s3
            if fsspec is None:
                self._fsspec = mapping._fsspec

    @property
    def fsspec(self) -> Any:
        """dlt's authorized fsspec client of the file's bucket: there is none in dlt-cpp (unless one
        was given to the constructor), so this raises NotImplementedError saying what to use."""
        if self._fsspec is None:
            raise _no_fsspec("fsspec")
        return self._fsspec

    @property
    def filesystem(self) -> Any:
        if self._fsspec is None:
            raise _no_fsspec("filesystem")
        return self._fsspec

    @property
    def local_file_path(self) -> str:
        return local_path(self["file_url"])

    def open(self, mode: str = "rb", compression: str = "auto", **kwargs: Any) -> Any:  # noqa: A003 (dlt's name)
        """The file opened for reading (`rb`, or text with `r`/`rt`); gzip files (encoding gzip) are
        decompressed unless compression="disable", as dlt does."""
        if compression == "auto":
            gz = self.get("encoding") == "gzip"
        elif compression in ("enable", "disable"):
            gz = compression == "enable"
        else:
            raise ValueError(f"compression must be auto, enable or disable, not {compression!r}")
        text = "b" not in mode
        text_kwargs = {k: kwargs.pop(k) for k in ("encoding", "errors", "newline") if k in kwargs}
        if "file_content" in self and self["file_content"] is not None:
            raw: Any = io.BytesIO(self["file_content"])
        elif self._s3 is not None:
            if mode not in ("rb", "r", "rt"):
                raise ValueError(f"{self['file_url']}: objects of an s3 bucket are opened for reading only")
            raw = self._download()
        elif not gz and not text:
            return open(self.local_file_path, mode, **kwargs)
        elif not gz:
            return open(self.local_file_path, mode, **text_kwargs, **kwargs)
        else:
            if any(c in mode for c in "wax+"):
                raise ValueError(f"{self['file_url']}: a gzip file is opened for reading only")
            raw = open(self.local_file_path, "rb")
        if gz:
            raw = gzip.GzipFile(fileobj=raw, mode="rb")
        if not text:
            return raw
        return io.TextIOWrapper(raw, encoding=text_kwargs.get("encoding") or "utf-8", errors=text_kwargs.get("errors"),
                                newline=text_kwargs.get("newline"))

    def _download(self) -> Any:
        # A local copy, read in ranges (never the whole object in memory), that no other process
        # can open and that is gone when the file is closed.
        fd, path = tempfile.mkstemp(prefix="dlt-s3-")
        os.close(fd)
        try:
            self._s3[0].download(self._s3[1], path, self.get("size_in_bytes"))
            return open(path, "rb")
        finally:
            if os.path.exists(path):  # a failed download removed it already
                os.unlink(path)

    def read_bytes(self) -> bytes:
        """The file's bytes as stored (a gzip file is not decompressed), as dlt's read_bytes."""
        if "file_content" in self and self["file_content"] is not None:
            return self["file_content"]
        if self._s3 is not None:
            return self._s3[0].read(self._s3[1])
        with self.open("rb", compression="disable") as f:
            return f.read()


FileItem = FileItemDict

__all__ = ["FileItem", "FileItemDict", "guess_mime_type", "local_path"]
