"""dlt.sources.filesystem: `filesystem` lists files of a bucket_url (a local folder or file, `file://` or
`s3://bucket/prefix`) matching `file_glob` (as dlt's FileItemDict rows), and the readers `read_csv`,
`read_parquet`, `read_jsonl`, `read_csv_duckdb` load the listed files' rows:
`filesystem(bucket_url, file_glob="*.csv") | read_csv()`, or `readers(bucket_url, file_glob).read_csv()`.

The listing is dlt's: a local bucket is globbed with Python's glob.glob(root/file_glob, recursive=True)
(`*` stays in one folder, `**` crosses folders, hidden files are not matched, `..` may leave the
bucket, a file as bucket_url with file_glob="" lists that file); keys of an s3 bucket are matched
the same way (as fsspec globs them). The listing's add_map / add_filter / add_limit steps and its
incremental pick the files a reader reads.

The rows of a reader are read by the engine, not by Python: CSV (DuckDB's sniffer finds header,
delimiter, quoting, gzip and column types) and Parquet (types from the file) as typed columns,
JSON Lines as JSON documents. An incremental on the listing
(`filesystem(..., incremental=dlt.sources.incremental("modification_date"))`) makes a reader load
only files that are new or changed since its last run, as dlt's filesystem does; with `row_order`
the files are listed in the cursor's order.
"""

import glob
import hashlib
import os
import pathlib
import re
from datetime import datetime, timezone
from typing import Any, Dict, Iterator, List, Optional, Tuple

from dlt.common.storages.fsspec_filesystem import FileItem, FileItemDict, guess_mime_type, local_path
from dlt.extract.items import rewrap, unwrap
from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource
from dlt.sources.filesystem import _s3
from dlt.sources.filesystem._csv_options import duckdb_csv_options, pandas_csv_options

DEFAULT_CHUNK_SIZE = 100


# Defaults that tell "not given" (then the configuration is looked up, as dlt's spec resolves
# them) from a value given in code; they read as the plain defaults.
class _DefaultStr(str):
    pass


class _DefaultInt(int):
    def __new__(cls, value: int, shown: str) -> "_DefaultInt":
        obj = int.__new__(cls, value)
        obj._shown = shown
        return obj

    def __repr__(self) -> str:
        return self._shown


_GLOB_DEFAULT = _DefaultStr("*")
_PER_PAGE_DEFAULT = _DefaultInt(DEFAULT_CHUNK_SIZE, str(DEFAULT_CHUNK_SIZE))
_EXTRACT_DEFAULT = _DefaultInt(0, "False")


def _config(name: str, annotation: Any) -> Tuple[bool, Any, List[Tuple[str, str]]]:
    """(found, value, places tried) of filesystem argument `name` in the configuration: as dlt
    resolves its spec, `sources.filesystem.<name>` (also under the pipeline's name)."""
    import inspect

    from dlt.common.configuration.accessors import lookup_argument

    param = inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)
    return lookup_argument(filesystem, param, section="filesystem", source_name="filesystem")


# --- the listing --------------------------------------------------------------------------------

def _segment_regex(seg: str) -> str:
    """One path segment of a glob as a regex: `*` and `?` never match `/`, `[...]` a class."""
    out: List[str] = []
    i = 0
    while i < len(seg):
        c = seg[i]
        if c == "*":
            if not out or out[-1] != "[^/]*":
                out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = seg.find("]", i + 2 if i + 1 < len(seg) and seg[i + 1] in "!^" else i + 1)
            if j < 0:
                out.append(re.escape(c))
            else:
                body = seg[i + 1:j]
                if body[:1] in ("!", "^"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = j
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def glob_regex(pattern: str) -> "re.Pattern[str]":
    """A glob over `/`-separated keys as a regex: `**` as a whole segment matches any number of
    folders (none too), `*` stays in one folder, as fsspec's glob of a bucket."""
    parts = pattern.split("/")
    rx = ""
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            rx += ".*" if last else "(?:[^/]+/)*"
        else:
            rx += _segment_regex(part) + ("" if last else "/")
    return re.compile(rx + r"\Z", re.DOTALL)


def _matches(rel: str, file_glob: str) -> bool:
    return glob_regex(file_glob).match(rel) is not None


def _glob_s3(bucket_url: str, file_glob: str, credentials: Any) -> Iterator[FileItemDict]:
    base = bucket_url.rstrip("/")
    if not file_glob:  # bucket_url names one object (dlt: set file_glob="" for a file path)
        found = _s3.list_objects(bucket_url, credentials, exact=True)
    else:
        rx = glob_regex(file_glob)
        found = [o for o in _s3.list_objects(bucket_url, credentials) if rx.match(o[0])]
    for rel, key, size, modified, bucket in sorted(found, key=lambda o: o[0]):
        mime, encoding = guess_mime_type(key)
        item = FileItemDict(
            file_name=key.rsplit("/", 1)[-1],
            relative_path=rel,
            file_url=base if rel == "." else f"{base}/{rel}",
            mime_type=mime,
            modification_date=modified,
            size_in_bytes=size,
        )
        if encoding is not None:
            item["encoding"] = encoding
        item._s3 = (bucket, key)
        yield item


def _local_root(bucket_url: str) -> str:
    """The local path of a bucket_url, `~` expanded and made absolute (as dlt's make_file_url)."""
    path = os.path.abspath(os.path.expanduser(local_path(bucket_url)))
    # file://tmp/x (dlt's //tmp/x): the same folder as /tmp/x here, named so in file_url
    return "/" + path.lstrip("/") if path.startswith("//") else path


def _glob_files(bucket_url: str, file_glob: str, credentials: Any = None) -> Iterator[FileItemDict]:
    """The files matching `file_glob` under bucket_url, sorted by relative path. A local bucket is
    globbed as dlt globs it: glob.glob(root/file_glob, recursive=True), folders left out."""
    if _s3.is_s3(bucket_url):
        yield from _glob_s3(bucket_url, file_glob, credentials)
        return
    root = _local_root(bucket_url)
    if not os.path.exists(root):
        raise FileNotFoundError(f"filesystem: bucket_url `{bucket_url}` does not exist ({root})")
    # The bucket's own path is taken as it is (glob.escape), only file_glob is a pattern; an empty
    # file_glob is the bucket_url itself (a file given as bucket_url).
    pattern = os.path.join(glob.escape(root), file_glob) if file_glob else glob.escape(root)
    found = []
    for path in glob.glob(pattern, recursive=True):
        if not os.path.isfile(path):
            continue
        try:
            rel = pathlib.PurePath(path).relative_to(root).as_posix()
        except ValueError:  # an absolute file_glob elsewhere
            rel = pathlib.PurePath(os.path.relpath(path, root)).as_posix()
        found.append((rel, path))
    for rel, path in sorted(found):
        st = os.stat(path)
        mime, encoding = guess_mime_type(rel)
        item = FileItemDict(
            file_name=os.path.basename(path),
            relative_path=rel,
            file_url=pathlib.Path(path).resolve().as_uri(),
            mime_type=mime,
            modification_date=datetime.fromtimestamp(st.st_mtime, tz=timezone.utc),
            size_in_bytes=st.st_size,
        )
        if encoding is not None:
            item["encoding"] = encoding
        yield item


def glob_files(bucket_url: str, file_glob: str = "**", credentials: Any = None) -> Iterator[FileItemDict]:
    """dlt's glob_files for a local or s3 bucket_url (no fsspec client): the matching files."""
    return _glob_files(bucket_url, file_glob, credentials)


def _sort_for_row_order(items: List[FileItemDict], inc: Any) -> List[FileItemDict]:
    """As dlt's filesystem: with `row_order` on its incremental the listing is sorted by the
    cursor, ascending in the last value function's direction for "asc"."""
    key = inc.cursor_path
    if any(key not in i for i in items):
        raise ValueError(f"filesystem incremental: `{key}` is not a field of listed files "
                         "(use modification_date, size_in_bytes, file_name, ...)")
    reverse = (inc.row_order == "asc" and inc.last_value_func is min) or \
              (inc.row_order == "desc" and inc.last_value_func is max)
    return sorted(items, key=lambda f: f[key], reverse=reverse)


def _without_loaded(items: Iterator[Any], obs: Any) -> Iterator[Any]:
    """The listing's items without the files its cursor drops (older than the last value, at it
    and loaded before, past end_value; `obs`: the incremental's RangeObserver of this extract): the
    engine drops them too, but here, as dlt's incremental step, before add_limit counts pages (a
    page left empty is not passed on)."""
    for item in items:
        meta, data = unwrap(item)
        if isinstance(data, list):
            kept = [row for row in data if not any(obs.flags(row))]
            if kept:
                yield rewrap(meta, kept)
        elif not any(obs.flags(data)):
            yield item


class FilesystemResource(DltResource):
    """The listing: its rows are FileItemDicts (primary key file_url)."""

    def __init__(self, bucket_url: str, file_glob: str, files_per_page: int, extract_content: bool,
                 credentials: Any = None) -> None:
        self._bucket_url, self._file_glob, self._credentials = bucket_url, file_glob, credentials
        self._files_per_page, self._extract_content = files_per_page, extract_content
        super().__init__("filesystem", hints={"primary_key": "file_url"})

    def _raw_items(self) -> Iterator[Any]:
        yield from self._pages()

    def _items(self, before_limit: Any = None) -> Iterator[Any]:
        # Loaded by the engine, whose cursor filters the rows: the pipeline made the incremental's
        # observer of this extract just before (one per extract; a Python cursor filters itself).
        inc = self._hints.get("incremental")
        obs = getattr(inc, "_observer", None)
        if before_limit is not None and obs is not None and obs.cursor is None and \
                not getattr(obs, "_listing_read", False):
            obs._listing_read = True
            cursor_step = before_limit
            before_limit = lambda items: _without_loaded(cursor_step(items), obs)  # noqa: E731
        return super()._items(before_limit)

    def _pages(self) -> Iterator[List[FileItemDict]]:
        items: Any = _glob_files(self._bucket_url, self._file_glob, self._credentials)
        inc = self._hints.get("incremental")
        if inc is not None and getattr(inc, "row_order", None) and inc.cursor_path:
            items = _sort_for_row_order(list(items), inc)
        page: List[FileItemDict] = []
        for item in items:
            if self._extract_content:
                item["file_content"] = item.read_bytes()
            page.append(item)
            if len(page) >= self._files_per_page:
                yield page
                page = []
        if page:
            yield page


def filesystem(bucket_url: Optional[str] = None, credentials: Any = None, file_glob: Optional[str] = _GLOB_DEFAULT,
               files_per_page: int = _PER_PAGE_DEFAULT, extract_content: bool = _EXTRACT_DEFAULT,  # type: ignore
               kwargs: Optional[Dict[str, Any]] = None, client_kwargs: Optional[Dict[str, Any]] = None,
               incremental: Any = None) -> DltResource:
    """Lists the files of `bucket_url` (a local folder or file, file:// URL or s3://bucket/prefix)
    matching `file_glob`. Arguments not given come from the configuration as dlt resolves them
    (`[sources.filesystem]` bucket_url, file_glob, files_per_page, extract_content, or
    SOURCES__FILESYSTEM__FILE_GLOB ...). An s3 bucket's credentials: `credentials` (a dict or an
    object with aws_access_key_id, aws_secret_access_key, region_name, endpoint_url) or
    `sources.filesystem.credentials.*`."""
    if bucket_url is None:
        found, bucket_url, _tried = _config("bucket_url", str)
        if not found or bucket_url is None:
            from dlt.common.configuration.exceptions import ConfigFieldMissingException, LookupTrace

            raise ConfigFieldMissingException("FilesystemConfiguration", {"bucket_url": [
                LookupTrace("Environment Variables", [], "SOURCES__FILESYSTEM__BUCKET_URL"),
                LookupTrace("secrets.toml", [], "sources.filesystem.bucket_url"),
                LookupTrace("config.toml", [], "sources.filesystem.bucket_url")]})
    if file_glob is None or isinstance(file_glob, _DefaultStr):
        found, value, _tried = _config("file_glob", str)
        file_glob = str(value) if found and value is not None else "*"
    if isinstance(files_per_page, _DefaultInt):
        found, value, _tried = _config("files_per_page", int)
        files_per_page = int(value) if found and value is not None else DEFAULT_CHUNK_SIZE
    if isinstance(extract_content, _DefaultInt):
        found, value, _tried = _config("extract_content", bool)
        extract_content = bool(value) if found and value is not None else False
    bucket_url = str(bucket_url)
    if _s3.is_s3(bucket_url):
        _s3.split_url(bucket_url)
    else:
        local_path(bucket_url)
    r = FilesystemResource(bucket_url, file_glob, int(files_per_page), bool(extract_content), credentials)
    if incremental is not None:
        r.apply_hints(incremental=incremental)
    return r


class FileReaderResource(DltResource):
    """read_csv / read_parquet / read_jsonl / read_csv_duckdb: a transformer of the listing whose
    rows the engine reads. Calling it again (`readers(...).read_csv(sep=";")`) gives the same
    reader of the same listing with new options."""

    _factory: Any = None  # the function that made it (read_csv, ...): __call__ makes a new one with it
    _limit: Any = None  # the add_limit arguments given, applied again by __call__

    def __init__(self, name: str, fmt: str, delimiter: Optional[str] = None, header: Optional[bool] = None,
                 arrow_items: bool = False, chunksize: Optional[int] = None,
                 csv_options: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(name, hints={"_is_transformer": True})
        self._format, self._delimiter, self._header = fmt, delimiter, header
        # the other CSV options (quote, encoding, skip_rows, names, columns, null_values, types,
        # all_text), checked here so that a bad one fails where it is given
        self._csv = dict(csv_options or {})
        if self._csv:
            from dlt._engine import native

            native.FileReader(fmt, delimiter, header).set_csv(**self._csv)
        # dlt's readers yield chunks of `chunksize` rows; add_limit(n) keeps n of them, which the
        # engine applies as at most n * chunksize rows (counted across files, where dlt's chunks
        # end with each file).
        self._chunksize = chunksize
        self._max_rows: Optional[int] = None
        # use_pyarrow=True: the rows are dlt's Arrow items (no _dlt_id/_dlt_load_id unless
        # [normalize.parquet_normalizer] asks for them; nested values as json).
        self._arrow_items = arrow_items

    def __call__(self, *args: Any, **kwargs: Any) -> "DltResource":
        """The reader again with these options (those of read_csv, read_parquet, ...), reading the
        same listing, with this one's name, hints and steps."""
        if self._factory is None:
            raise TypeError(f"resource `{self._name}` is not callable")
        r = self._factory(*args, **kwargs)
        r._parent, r._name, r.selected = self._parent, self._name, self.selected
        r._hints = dict(self._hints)
        r._steps = list(self._steps)
        r.source_name, r.section = self.source_name, self.section
        if self._limit is not None:
            r.add_limit(*self._limit)
        return r

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
        self._limit = (max_items, None, count_rows)
        return self

    def _listing(self) -> FilesystemResource:
        """The filesystem() listing this reader reads (also when that listing is loaded in the same
        run, where the pipeline stands a replay in for it)."""
        parent = self._parent
        tee = getattr(parent, "_tee", None)
        if tee is not None:
            parent = tee.resource
        if not isinstance(parent, FilesystemResource):
            raise ValueError(f"resource `{self.name}` reads files listed by filesystem(): use "
                             f"filesystem(bucket_url, file_glob=...) | {self.name}()")
        return parent

    def _engine_item(self, defaults: Dict[str, Any]) -> Any:
        """(FileReader, list_files, options) for the engine (python/src/py_filesystem.cc)."""
        from dlt._engine import native

        self._listing()  # refused here, before the run, when the parent is no listing
        reader = native.FileReader(self._format, self._delimiter, self._header, self._max_rows)
        if self._csv:
            reader.set_csv(**self._csv)
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
        """The files to read in this run: the listing's items after its steps (add_map,
        add_filter, add_limit) and its incremental, as dlt's pipe hands them to the reader; with
        the incremental only those past its last value (files at the last value that were read
        before are skipped by file_url)."""
        listing = self._listing()
        inc = listing._hints.get("incremental")
        cursor = _FileCursor(self.name, inc) if inc is not None and inc.cursor_path else None
        # DltResource._items: the listing's own cursor step (the engine's, for the listing loaded
        # itself) is not the one that picks a reader's files.
        items = DltResource._items(listing, before_limit=cursor.step if cursor is not None else None)
        files: List[FileItemDict] = []
        for item in items:
            _meta, data = unwrap(item)
            for f in (data if isinstance(data, list) else [data]):
                files.append(_as_file_item(self.name, f))
        if cursor is not None:
            cursor.commit(files)
        # Objects of an s3 bucket are read from local copies (removed at the next listing).
        paths, self._copies = _s3.local_copies(files, getattr(self, "_copies", None))
        return paths


def _as_file_item(resource_name: str, f: Any) -> FileItemDict:
    """A listed item a step may have replaced by a dict of its own: a FileItemDict to read."""
    if isinstance(f, FileItemDict):
        return f
    if not isinstance(f, dict) or not isinstance(f.get("file_url"), str):
        raise ValueError(f"resource `{resource_name}` reads the files the filesystem listing yields: the listing's "
                         f"steps gave {type(f).__name__} {str(f)[:80]!r}, not a file item (a dict with file_url)")
    if _s3.is_s3(f["file_url"]):
        raise ValueError(f"resource `{resource_name}`: an add_map step of the s3 listing returned a new dict for "
                         f"`{f['file_url']}`; return the item it was given (FileItemDict), changed in place")
    return FileItemDict(f)


def _hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:24]


class _FileCursor:
    """The listing's incremental as it picks a reader's files: dlt's filter (older than the last
    value, at it and read before, past end_value, open range start), its state in the reader's
    resource state (last_value, and the file_url hashes of the files at it)."""

    def __init__(self, resource_name: str, inc: Any) -> None:
        from dlt.extract.incremental._range import RangeObserver
        from dlt.pipeline.current import resource_state

        if inc._in_python:
            raise NotImplementedError(f"resource `{resource_name}`: lag and a custom last_value_func are not "
                                      "supported by dlt-cpp on file listings (use max or min without lag)")
        self.inc = inc
        self.key = inc.cursor_path
        self.state = resource_state(resource_name).setdefault("incremental", {}).setdefault(self.key, {})
        # With an end_value the range is [initial_value, end_value) and no state is kept (dlt's backfill).
        self.last = inc.initial_value if inc.end_value is not None else self.state.get("last_value", inc.initial_value)
        self.seen = set(self.state.get("unique_hashes", [])) if inc.end_value is None else set()
        dedup = inc.range_start != "open" and inc.end_value is None
        self.obs = RangeObserver(inc, self.last, dedup, lambda row: _hash(row["file_url"]), lambda: self.seen,
                                 auto_close=False)

    def _keep(self, row: Any) -> bool:
        if isinstance(row, dict) and "." not in self.key and not self.key.startswith("$") and self.key not in row:
            raise ValueError(f"filesystem incremental: `{self.key}` is not a field of listed files "
                             "(use modification_date, size_in_bytes, file_name, ...)")
        return not any(self.obs.flags(row))

    def step(self, items: Iterator[Any]) -> Iterator[Any]:
        """The incremental's step: before the listing's add_limit, a page left empty is dropped."""
        for item in items:
            meta, data = unwrap(item)
            if isinstance(data, list):
                kept = [row for row in data if self._keep(row)]
                if kept:
                    yield rewrap(meta, kept)
            elif self._keep(data):
                yield item

    def commit(self, files: List[FileItemDict]) -> None:
        """The new state after `files` are read (none kept with an end_value)."""
        if not files or self.inc.end_value is not None:
            return
        pick = min if self.inc.last_value_func is min else max
        last = self.last
        new_last = pick([f[self.key] for f in files] + ([last] if last is not None else []))
        boundary = {_hash(f["file_url"]) for f in files if f[self.key] == new_last}
        if new_last == last:
            boundary |= self.seen
        self.state["initial_value"] = self.inc.initial_value
        self.state["last_value"] = new_last
        self.state["unique_hashes"] = sorted(boundary)


def _reader(r: FileReaderResource, factory: Any) -> FileReaderResource:
    r._factory = factory
    return r


def read_csv(chunksize: int = 10000, **pandas_kwargs: Any) -> DltResource:
    """CSV files (gzip too) read by the engine (DuckDB's CSV reader, not pandas). pandas' options
    honoured: `sep`/`delimiter`, `header` (0, a row number, None), `names`, `usecols` (names),
    `skiprows` (a number), `encoding` (utf-8, latin-1, utf-16), `na_values`, `dtype` (str, or
    {column: type}), `quotechar`; what is left is detected by DuckDB's sniffer. Any other option
    raises NotImplementedError naming it."""
    delimiter, header, csv = pandas_csv_options(pandas_kwargs)
    return _reader(FileReaderResource("read_csv", "csv", delimiter, header, chunksize=chunksize, csv_options=csv),
                   read_csv)


def read_csv_duckdb(chunk_size: Optional[int] = 5000, use_pyarrow: bool = False, **duckdb_kwargs: Any) -> DltResource:
    """CSV files read by DuckDB (as read_csv is in dlt-cpp). DuckDB's read_csv options honoured:
    `delim`/`sep`, `header`, `quote`, `encoding`, `skip`, `names`/`column_names`, `nullstr`,
    `types`/`dtypes` ({column: DuckDB type}), `all_varchar`."""
    delimiter, header, csv = duckdb_csv_options(duckdb_kwargs)
    return _reader(FileReaderResource("read_csv_duckdb", "csv", delimiter, header, arrow_items=use_pyarrow,
                                      chunksize=chunk_size, csv_options=csv), read_csv_duckdb)


def read_parquet(chunksize: int = 1000, use_pyarrow: bool = False) -> DltResource:
    """Parquet files read by the engine with the files' own column types; with use_pyarrow=True
    loaded as dlt loads Arrow batches (no _dlt_id/_dlt_load_id columns, structs and lists as json)."""
    return _reader(FileReaderResource("read_parquet", "parquet", arrow_items=use_pyarrow, chunksize=chunksize),
                   read_parquet)


def read_jsonl(chunksize: int = 1000) -> DltResource:
    """JSON Lines files (gzip too) read by the engine; nested objects and lists become nested
    tables as usual."""
    return _reader(FileReaderResource("read_jsonl", "jsonl", chunksize=chunksize), read_jsonl)


def readers(bucket_url: Optional[str] = None, credentials: Any = None, file_glob: Optional[str] = _GLOB_DEFAULT,
            kwargs: Optional[Dict[str, Any]] = None, client_kwargs: Optional[Dict[str, Any]] = None,
            incremental: Any = None) -> DltSource:
    """dlt's `readers` source: the resources read_csv, read_jsonl, read_parquet and
    read_csv_duckdb, each reading its own filesystem(bucket_url, credentials, file_glob,
    incremental=incremental) listing. Pick one and give it options by calling it:
    `readers(bucket_url, file_glob="*.csv").read_csv(sep=";")`."""
    def listing() -> DltResource:
        # each reader its own listing and cursor, as dlt's readers make them
        inc = incremental.copy() if incremental is not None and hasattr(incremental, "copy") else incremental
        return filesystem(bucket_url, credentials, file_glob=file_glob, kwargs=kwargs, client_kwargs=client_kwargs,
                          incremental=inc)

    resources = []
    for factory in (read_csv, read_jsonl, read_parquet, read_csv_duckdb):
        resources.append(listing() | factory())
    return DltSource("readers", "filesystem", resources)


__all__ = ["filesystem", "readers", "read_csv", "read_csv_duckdb", "read_parquet", "read_jsonl", "glob_files",
           "FileItemDict", "FileItem", "FilesystemResource", "FileReaderResource"]
