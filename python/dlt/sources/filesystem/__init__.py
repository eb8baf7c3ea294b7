"""dlt.sources.filesystem: `filesystem` lists files of a bucket_url (a local folder, `file://` or
`s3://bucket/prefix`) matching `file_glob` (as dlt's FileItemDict rows), and the readers `read_csv`, `read_parquet`, `read_jsonl` load the
listed files' rows: `filesystem(bucket_url, file_glob="*.csv") | read_csv()`.

The rows of a reader are read by the engine, not by Python: CSV (DuckDB's sniffer finds header,
delimiter, quoting, gzip and column types) and Parquet (types from the file) as typed columns,
JSON Lines as JSON documents. An incremental on the listing
(`filesystem(...).apply_hints(incremental=dlt.sources.incremental("modification_date"))`) makes a
reader load only files that are new or changed since its last run, as dlt's filesystem does.
"""

import hashlib
import io
import mimetypes
import os
import tempfile
from datetime import datetime, timezone
from fnmatch import fnmatch
from typing import Any, Dict, Iterator, List, Optional
from urllib.parse import unquote, urlparse

from dlt.extract.resource import DltResource
from dlt.sources.filesystem import _s3

DEFAULT_CHUNK_SIZE = 100


class FileItemDict(dict):
    """A listed file: file_name, relative_path, file_url, mime_type, modification_date,
    size_in_bytes (dlt's FileItem keys)."""

    _s3: Any = None  # (S3Bucket, key) of an object listed in an s3:// bucket

    @property
    def local_file_path(self) -> str:
        return _local_path(self["file_url"])

    def open(self, mode: str = "rb", **kwargs: Any) -> Any:  # noqa: A003 (dlt's name)
        if self._s3 is not None:
            if mode not in ("rb", "r"):
                raise ValueError(f"{self['file_url']}: objects of an s3 bucket are opened for reading only")
            # A local copy, read in ranges (never the whole object in memory), that no other
            # process can open and that is gone when the file is closed.
            fd, path = tempfile.mkstemp(prefix="dlt-s3-")
            os.close(fd)
            try:
                self._s3[0].download(self._s3[1], path, self.get("size_in_bytes"))
                f = open(path, "rb")
            finally:
                if os.path.exists(path):  # a failed download removed it already
                    os.unlink(path)
            if "b" in mode:
                return f
            return io.TextIOWrapper(f, encoding=kwargs.get("encoding") or "utf-8", errors=kwargs.get("errors"),
                                    newline=kwargs.get("newline"))
        return open(self.local_file_path, mode, **kwargs)

    def read_bytes(self) -> bytes:
        if self._s3 is not None:
            return self._s3[0].read(self._s3[1])
        with self.open("rb") as f:
            return f.read()


FileItem = FileItemDict


def _local_path(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("", "file"):
        raise NotImplementedError(f"bucket_url `{url}`: local folders (file://) and s3:// buckets are supported by "
                                  "dlt-cpp's filesystem source")
    return unquote(parsed.path) if parsed.scheme == "file" else url


def _matches(rel: str, file_glob: str) -> bool:
    if "**" not in file_glob and "/" in rel and "/" not in file_glob:
        return False
    return fnmatch(rel, file_glob) or (file_glob.startswith("**/") and fnmatch(rel, file_glob[3:]))


def _glob_s3(bucket_url: str, file_glob: str, credentials: Any) -> Iterator[FileItemDict]:
    base = bucket_url.rstrip("/")
    found = [o for o in _s3.list_objects(bucket_url, credentials) if _matches(o[0], file_glob)]
    for rel, key, size, modified, bucket in sorted(found, key=lambda o: o[0]):
        mime, _ = mimetypes.guess_type(rel)
        item = FileItemDict(
            file_name=rel.rsplit("/", 1)[-1],
            relative_path=rel,
            file_url=f"{base}/{rel}",
            mime_type=mime or "application/octet-stream",
            modification_date=modified,
            size_in_bytes=size,
        )
        item._s3 = (bucket, key)
        yield item


def _glob_files(bucket_url: str, file_glob: str, credentials: Any = None) -> Iterator[FileItemDict]:
    """The files under bucket_url whose path relative to it matches file_glob (`**` crosses
    folders), sorted by relative path."""
    if _s3.is_s3(bucket_url):
        yield from _glob_s3(bucket_url, file_glob, credentials)
        return
    root = os.path.abspath(_local_path(bucket_url))
    if not os.path.isdir(root):
        raise FileNotFoundError(f"filesystem: bucket_url `{bucket_url}` is not a folder ({root})")
    recursive = "**" in file_glob
    found = []
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in names:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            if _matches(rel, file_glob):
                found.append((rel, path))
        if not recursive and "/" not in file_glob:
            break
    for rel, path in sorted(found):
        st = os.stat(path)
        mime, _ = mimetypes.guess_type(path)
        yield FileItemDict(
            file_name=os.path.basename(path),
            relative_path=rel,
            file_url="file://" + path,
            mime_type=mime or "application/octet-stream",
            modification_date=datetime.fromtimestamp(st.st_mtime, tz=timezone.utc),
            size_in_bytes=st.st_size,
        )


class FilesystemResource(DltResource):
    """The listing: its rows are FileItemDicts (primary key file_url)."""

    def __init__(self, bucket_url: str, file_glob: str, files_per_page: int, extract_content: bool,
                 credentials: Any = None) -> None:
        self._bucket_url, self._file_glob, self._credentials = bucket_url, file_glob, credentials
        self._files_per_page, self._extract_content = files_per_page, extract_content
        super().__init__("filesystem", hints={"primary_key": "file_url"})

    def _raw_items(self) -> Iterator[Any]:
        yield from self._pages()

    def _pages(self) -> Iterator[List[FileItemDict]]:
        page: List[FileItemDict] = []
        for item in _glob_files(self._bucket_url, self._file_glob, self._credentials):
            if self._extract_content:
                item["file_content"] = item.read_bytes()
            page.append(item)
            if len(page) >= self._files_per_page:
                yield page
                page = []
        if page:
            yield page


def filesystem(bucket_url: Optional[str] = None, credentials: Any = None, file_glob: str = "*",
               files_per_page: int = DEFAULT_CHUNK_SIZE, extract_content: bool = False,
               kwargs: Optional[Dict[str, Any]] = None, client_kwargs: Optional[Dict[str, Any]] = None,
               incremental: Any = None) -> DltResource:
    """Lists the files of `bucket_url` (a local folder, file:// URL or s3://bucket/prefix; default
    `sources.filesystem.bucket_url` of the profile) matching `file_glob`. An s3 bucket's
    credentials: `credentials` (a dict or an object with aws_access_key_id,
    aws_secret_access_key, region_name, endpoint_url) or `sources.filesystem.credentials.*`."""
    if bucket_url is None:
        from dlt.common.configuration.accessors import config

        bucket_url = config.get("sources.filesystem.bucket_url")
        if bucket_url is None:
            from dlt.common.configuration.exceptions import ConfigFieldMissingException, LookupTrace

            raise ConfigFieldMissingException("FilesystemConfiguration", {"bucket_url": [
                LookupTrace("Environment Variables", [], "SOURCES__FILESYSTEM__BUCKET_URL"),
                LookupTrace("secrets.toml", [], "sources.filesystem.bucket_url"),
                LookupTrace("config.toml", [], "sources.filesystem.bucket_url")]})
    if _s3.is_s3(bucket_url):
        _s3.split_url(bucket_url)
    else:
        _local_path(bucket_url)
    r = FilesystemResource(bucket_url, file_glob, files_per_page, extract_content, credentials)
    if incremental is not None:
        r.apply_hints(incremental=incremental)
    return r


class FileReaderResource(DltResource):
    """read_csv / read_parquet / read_jsonl: a transformer of the listing whose rows the engine reads."""

    def __init__(self, name: str, fmt: str, delimiter: Optional[str] = None, header: Optional[bool] = None,
                 arrow_items: bool = False, chunksize: Optional[int] = None) -> None:
        super().__init__(name, hints={"_is_transformer": True})
        self._format, self._delimiter, self._header = fmt, delimiter, header
        # dlt's readers yield chunks of `chunksize` rows; add_limit(n) keeps n of them, which the
        # engine applies as at most n * chunksize rows (counted across files, where dlt's chunks
        # end with each file).
        self._chunksize = chunksize
        self._max_rows: Optional[int] = None
        # use_pyarrow=True: the rows are dlt's Arrow items (no _dlt_id/_dlt_load_id unless
        # [normalize.parquet_normalizer] asks for them; nested values as json).
        self._arrow_items = arrow_items

    def _raw_items(self) -> Any:
        """The files' rows read in Python (list(reader), a transformer over it): read by the engine
        and handed over in pages of dicts, to which the reader's steps then apply."""
        from dlt._engine import engine_pages

        if self._arrow_items:
            raise NotImplementedError(f"resource `{self.name}`: iterating Arrow items (use_pyarrow=True) in Python is "
                                      "not supported by dlt-cpp; read the rows as dicts")
        return engine_pages(self._engine_item({}) + ({},))

    def _add_step(self, step: Any, insert_at: Optional[int] = None) -> "DltResource":
        from dlt.extract.items import LimitItem

        # add_map / add_filter / add_yield_map: the engine hands the rows to Python for them.
        if self._arrow_items and not isinstance(step, LimitItem):
            raise NotImplementedError(f"resource `{self.name}`: add_map, add_filter and add_yield_map on Arrow items "
                                      "(use_pyarrow=True) are not supported by dlt-cpp; read the rows as dicts")
        return super()._add_step(step, insert_at)

    def add_limit(self, max_items: Optional[int] = None, max_time: Optional[float] = None,
                  count_rows: Optional[bool] = False) -> "DltResource":
        if max_time is not None:
            raise NotImplementedError(f"resource `{self.name}`: add_limit(max_time=...) on file readers is not "
                                      "supported by dlt-cpp (max_items is)")
        if max_items is None:
            return self
        if not self._chunksize:
            raise NotImplementedError(f"resource `{self.name}`: add_limit needs the reader's chunk size "
                                      "(give chunksize / chunk_size)")
        if max_items < 0:
            raise ValueError(f"resource `{self.name}`: add_limit(max_items) must be 0 or more, not {max_items}")
        # Chunks of `chunksize` rows: with count_rows the chunk that reaches max_items rows is kept whole.
        chunks = -(-max_items // self._chunksize) if count_rows else max_items
        self._max_rows = chunks * self._chunksize
        return self

    def _engine_item(self, defaults: Dict[str, Any]) -> Any:
        """(FileReader, list_files, options) for the engine (python/src/py_filesystem.cc)."""
        from dlt._engine import native

        if not isinstance(self._parent, FilesystemResource):
            raise ValueError(f"resource `{self.name}` reads files listed by filesystem(): use "
                             f"filesystem(bucket_url, file_glob=...) | {self.name}()")
        reader = native.FileReader(self._format, self._delimiter, self._header, self._max_rows)
        opts = self._native_options(defaults)
        # A cursor on the listing (filesystem(..., incremental=) or its apply_hints) picks files in
        # _list_files; one given to the reader itself (apply_hints on `filesystem(...) | read_csv()`)
        # is a cursor over the rows, which the engine applies as it reads them.
        if self._hints.get("incremental") is None:
            opts.pop("incremental", None)
        if self._arrow_items:
            opts["arrow_items"] = True
        return (reader, self._list_files, opts)

    def _list_files(self) -> List[str]:
        """The files to read in this run; with an incremental on the listing, only those past its
        last value (files at the last value that were read before are skipped by file_url)."""
        parent = self._parent
        items = list(_glob_files(parent._bucket_url, parent._file_glob, parent._credentials))
        inc = parent._hints.get("incremental")
        if inc is not None and inc.cursor_path:
            items = _new_files(self.name, inc, items)
        # Objects of an s3 bucket are read from local copies (removed at the next listing).
        paths, self._copies = _s3.local_copies(items, getattr(self, "_copies", None))
        return paths


def _hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:24]


def _new_files(resource_name: str, inc: Any, items: List[FileItemDict]) -> List[FileItemDict]:
    from dlt.pipeline.current import resource_state

    key = inc.cursor_path
    if inc._in_python:
        raise NotImplementedError(f"resource `{resource_name}`: lag and a custom last_value_func are not supported "
                                  "by dlt-cpp on file listings (use max or min without lag)")
    if any(key not in i for i in items):
        raise ValueError(f"filesystem incremental: `{key}` is not a field of listed files "
                         "(use modification_date, size_in_bytes, file_name, ...)")
    state = resource_state(resource_name).setdefault("incremental", {}).setdefault(key, {})
    last = state.get("last_value", inc.initial_value)
    seen = set(state.get("unique_hashes", []))
    pick = max if inc.last_value_func is not min else min
    keep = []
    for i in items:
        v = i[key]
        if last is not None and v != last and pick(v, last) == last:
            continue  # older than the last run's cursor
        if last is not None and v == last and _hash(i["file_url"]) in seen:
            continue  # read at the boundary last time
        keep.append(i)
    if keep:
        new_last = pick([i[key] for i in keep] + ([last] if last is not None else []))
        boundary = [_hash(i["file_url"]) for i in keep if i[key] == new_last]
        if new_last == last:
            boundary = sorted(seen | set(boundary))
        state["initial_value"] = inc.initial_value
        state["last_value"] = new_last
        state["unique_hashes"] = boundary
    return keep


def read_csv(chunksize: int = 10000, **pandas_kwargs: Any) -> DltResource:
    """CSV files (gzip too) read by the engine; `sep`/`delimiter` and `header` (0 or None) are
    honoured, the rest is detected by DuckDB's sniffer."""
    delimiter = pandas_kwargs.pop("sep", None) or pandas_kwargs.pop("delimiter", None)
    header: Optional[bool] = None
    if "header" in pandas_kwargs:
        h = pandas_kwargs.pop("header")
        header = None if h == "infer" else h is not None
    pandas_kwargs.pop("encoding", None)
    if pandas_kwargs:
        raise NotImplementedError(f"read_csv: options {sorted(pandas_kwargs)} are not supported by dlt-cpp "
                                  "(sep, delimiter and header are)")
    return FileReaderResource("read_csv", "csv", delimiter, header, chunksize=chunksize)


def read_csv_duckdb(chunk_size: Optional[int] = 5000, use_pyarrow: bool = False, **duckdb_kwargs: Any) -> DltResource:
    """CSV files read by DuckDB (as read_csv is in dlt-cpp); `delim`/`sep` and `header` are honoured."""
    delimiter = duckdb_kwargs.pop("delim", None) or duckdb_kwargs.pop("sep", None)
    header = duckdb_kwargs.pop("header", None)
    if duckdb_kwargs:
        raise NotImplementedError(f"read_csv_duckdb: options {sorted(duckdb_kwargs)} are not supported by dlt-cpp")
    return FileReaderResource("read_csv_duckdb", "csv", delimiter, header, arrow_items=use_pyarrow, chunksize=chunk_size)


def read_parquet(chunksize: int = 1000, use_pyarrow: bool = False) -> DltResource:
    """Parquet files read by the engine with the files' own column types; with use_pyarrow=True
    loaded as dlt loads Arrow batches (no _dlt_id/_dlt_load_id columns, structs and lists as json)."""
    return FileReaderResource("read_parquet", "parquet", arrow_items=use_pyarrow, chunksize=chunksize)


def read_jsonl(chunksize: int = 1000) -> DltResource:
    """JSON Lines files (gzip too) read by the engine; nested objects and lists become nested
    tables as usual."""
    return FileReaderResource("read_jsonl", "jsonl", chunksize=chunksize)


__all__ = ["filesystem", "read_csv", "read_csv_duckdb", "read_parquet", "read_jsonl", "FileItemDict", "FileItem",
           "FilesystemResource", "FileReaderResource"]
