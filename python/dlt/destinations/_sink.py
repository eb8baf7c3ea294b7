"""dlt's custom destination (`@dlt.destination`): the engine extracts and normalizes as for any
destination, and its load step hands every job of a package to `handle_job` below (through
dlt._native.set_sink_handler), which calls the user's function with batches of rows.

As dlt does:
- rows are dicts with Python values (datetime, date, time, Decimal, bytes, nested JSON as dicts
  and lists), `batch_size` of them per call (0: one call per job with the path of its file);
  `loader_file_format="parquet"` gives pyarrow record batches;
- dlt's tables and `_dlt_*` columns are left out unless `skip_dlt_columns_and_tables=False`;
- the function's arguments after `items, table` are injected from `destination.<name>.<arg>`;
- progress is kept per job in the load package (`destination_state.json`): a failed run goes on
  from the batch that failed; a function that raises is called again up to
  `load.raise_on_max_retries` (5) times, then the run fails with PipelineStepFailed and the
  package stays pending; DestinationTerminalException gives the job up (the package completes
  without it and the run raises LoadClientJobFailed).
"""

import datetime
import inspect
import json
import os
import threading
from decimal import Decimal
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

_REGISTRY: Dict[str, Any] = {}  # destination name -> CustomDestination
_LOCK = threading.Lock()
_failures: List[Tuple[str, Dict[str, Any], BaseException, int]] = []  # (kind, job, exception, attempts)
_installed = False


def register(dest: Any) -> None:
    """Makes `dest` the function of its destination name in this process."""
    global _installed
    from dlt import _engine

    with _LOCK:
        _REGISTRY[dest.destination_name] = dest
        if not _installed:
            _engine.native.set_sink_handler(handle_job)
            _installed = True


def take_failures() -> List[Tuple[str, Dict[str, Any], BaseException, int]]:
    with _LOCK:
        out = list(_failures)
        _failures.clear()
    return out


# --- the user's function, its configuration ------------------------------------------------------

def resolve_callable(dest: Any, secret_values: Optional[List[str]] = None) -> Callable[[Any, Dict[str, Any]], Any]:
    """The user's function with its configuration arguments bound (explicit ones first, then
    destination.<name>.<arg> with dlt's section rules); a missing secret/config value raises
    ConfigFieldMissingException naming the places looked at. The values of secret arguments are
    added to `secret_values` (an error message of the function must not show them)."""
    from dlt import _engine
    from dlt.common.configuration.accessors import _SECRET_VALUE, _coerce, _is_secret_annotation, is_sentinel
    from dlt.pipeline import current

    fn = dest.destination_callable
    sig = inspect.signature(fn)
    params = list(sig.parameters.values())
    kwargs: Dict[str, Any] = {}
    missing = []
    ws = _engine.workspace()
    pipeline_name = current.pipeline_name_or_none()
    for p in params[2:]:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.name in dest.call_kwargs:
            kwargs[p.name] = dest.call_kwargs[p.name]
            continue
        if p.default is inspect.Parameter.empty:
            continue
        secret = p.default is _SECRET_VALUE or _is_secret_annotation(p.annotation)
        tried: List[Tuple[str, str]] = []
        found = False
        for path in (["destination", dest.destination_name, p.name], ["destination", p.name], [p.name]):
            for candidate in ([[pipeline_name] + path] if pipeline_name else []) + [path]:
                ok, value, _origin, places = ws.lookup(candidate, secret, False)
                tried.extend(places)
                if ok:
                    kwargs[p.name] = _coerce(value, p.annotation)
                    if secret and secret_values is not None and isinstance(value, str) and value:
                        secret_values.append(value)
                    found = True
                    break
            if found:
                break
        if not found and is_sentinel(p.default):
            missing.append((p.name, tried))
    if missing:
        from dlt.common.configuration.exceptions import ConfigFieldMissingException

        raise ConfigFieldMissingException.for_function(fn, missing)

    def call(items: Any, table: Dict[str, Any]) -> Any:
        return fn(items, table, **kwargs)

    return call


# --- rows of a job -------------------------------------------------------------------------------

def _blob(text: str) -> bytes:
    """DuckDB's text of a BLOB (printable ASCII as is, every other byte as \\xHH) back to bytes."""
    out = bytearray()
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 3 < n and text[i + 1] in "xX":
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
        else:
            out.extend(c.encode("utf-8"))
            i += 1
    return bytes(out)


def _converters(columns: Dict[str, Dict[str, Any]]) -> Dict[str, Callable[[Any], Any]]:
    def ts(v: Any) -> Any:
        return datetime.datetime.fromisoformat(v) if isinstance(v, str) else v

    def date(v: Any) -> Any:
        return datetime.date.fromisoformat(v) if isinstance(v, str) else v

    def time(v: Any) -> Any:
        return datetime.time.fromisoformat(v) if isinstance(v, str) else v

    def dec(v: Any) -> Any:
        return v if isinstance(v, Decimal) else Decimal(str(v))

    def double(v: Any) -> Any:
        return float(v)

    def wei(v: Any) -> Any:
        return int(v) if not isinstance(v, int) else v

    def binary(v: Any) -> Any:
        return _blob(v) if isinstance(v, str) else v

    def js(v: Any) -> Any:
        return json.loads(v) if isinstance(v, str) else v

    by_type = {"timestamp": ts, "date": date, "time": time, "decimal": dec, "double": double, "wei": wei,
               "binary": binary, "json": js}
    out = {}
    for name, c in columns.items():
        f = by_type.get(c.get("data_type"))
        if f is not None:
            out[name] = f
    return out


def _jsonl_batches(path: str, table: Dict[str, Any], skipped: List[str], batch_size: int,
                   start: int) -> Iterator[List[Dict[str, Any]]]:
    columns = table.get("columns") or {}
    conv = _converters(columns)
    exact = any(c.get("data_type") in ("decimal", "wei") for c in columns.values())
    batch: List[Dict[str, Any]] = []
    index = 0
    with open(path, "r", encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            if index < start:
                index += 1
                continue
            index += 1
            row = json.loads(line, parse_float=Decimal) if exact else json.loads(line)
            item = {}
            for k, v in row.items():
                if v is None or k in skipped:
                    continue  # as dlt's rows: a missing value is no key
                f_ = conv.get(k)
                item[k] = f_(v) if f_ is not None else v
            batch.append(item)
            if len(batch) == batch_size:
                yield batch
                batch = []
    if batch:
        yield batch


def _parquet_batches(path: str, table: Dict[str, Any], batch_size: int, start: int) -> Iterator[Any]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        from dlt.common.exceptions import MissingDependencyException

        raise MissingDependencyException("dlt custom destination with loader_file_format=\"parquet\"",
                                         ["pyarrow"]) from None
    if start % batch_size:
        raise AssertionError("Batch size was changed during processing of one load package")
    skip = start // batch_size
    keep = list((table.get("columns") or {}).keys())
    reader = pq.ParquetFile(path)
    present = set(reader.schema_arrow.names)
    for batch in reader.iter_batches(batch_size=batch_size, columns=[c for c in keep if c in present]):
        if skip > 0:
            skip -= 1
            continue
        yield batch


# --- progress --------------------------------------------------------------------------------------

def _state_path(job: Dict[str, Any]) -> str:
    return os.path.join(job["package_path"], "destination_state.json")


def _load_state(job: Dict[str, Any]) -> Dict[str, Any]:
    try:
        with open(_state_path(job), "r", encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def _save_state(job: Dict[str, Any], state: Dict[str, Any]) -> None:
    path = _state_path(job)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(state, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# --- one job -----------------------------------------------------------------------------------------

def _prepared_table(schema: Dict[str, Any], name: str, skip_dlt: bool) -> Dict[str, Any]:
    tables = schema.get("tables") or {}
    table = dict(tables.get(name) or {"name": name, "columns": {}})
    table["name"] = name
    # a nested table takes its root's write disposition (dlt's prepared table)
    root = table
    while "write_disposition" not in root and root.get("parent") in tables:
        root = tables[root["parent"]]
    table.setdefault("write_disposition", root.get("write_disposition", "append"))
    columns = {k: dict(v, name=k) for k, v in (table.get("columns") or {}).items()}
    if skip_dlt:
        columns = {k: v for k, v in columns.items() if not k.startswith("_dlt")}
    table["columns"] = columns
    return table


def _run_job(dest: Any, job: Dict[str, Any], call: Callable[[Any, Dict[str, Any]], Any]) -> None:
    schema = json.loads(job["schema"])
    name = job["table_name"]
    all_columns = ((schema.get("tables") or {}).get(name) or {}).get("columns") or {}
    skipped = [c for c in all_columns if c.startswith("_dlt")] if dest.skip_dlt_columns_and_tables else []
    table = _prepared_table(schema, name, dest.skip_dlt_columns_and_tables)
    storage_id = job["storage_id"]
    state = _load_state(job)
    if dest.batch_size == 0:
        if not state.get(storage_id):
            call(job["items_path"], table)
            state[storage_id] = 1
            _save_state(job, state)
        return
    index = int(state.get(storage_id, 0))
    if job["file_format"] == "parquet":
        batches: Iterator[Any] = _parquet_batches(job["items_path"], table, dest.batch_size, index)
    else:
        batches = _jsonl_batches(job["items_path"], table, skipped, dest.batch_size, index)
    for batch in batches:
        call(batch, table)
        index += len(batch) if not hasattr(batch, "num_rows") else batch.num_rows
        state[storage_id] = index
        _save_state(job, state)


def handle_job(job: Dict[str, Any]) -> Optional[Tuple[str, str]]:
    """Called by the engine for each job: None when it is done, (kind, message) when not."""
    from dlt.common.destination.exceptions import DestinationTerminalException

    dest = _REGISTRY.get(job["destination_name"])
    if dest is None:
        return ("retry", f"no function is registered for custom destination `{job['destination_name']}` in this process")
    if dest.skip_dlt_columns_and_tables and job["table_name"].startswith("_dlt"):
        return None
    secrets: List[str] = []
    job["_secrets"] = secrets
    try:
        call = resolve_callable(dest, secrets)
    except Exception as e:  # a missing configuration value: no retry helps
        with _LOCK:
            _failures.append(("config", job, e, 0))
        return ("retry", str(e))
    attempts = 0
    limit = max(1, _max_retries())
    while True:
        attempts += 1
        try:
            _run_job(dest, job, call)
            return None
        except DestinationTerminalException as e:
            with _LOCK:
                _failures.append(("terminal", job, e, attempts))
            return ("terminal", _masked(f"{type(e).__name__}: {e}", secrets))
        except Exception as e:
            if attempts < limit:
                continue
            with _LOCK:
                _failures.append(("retry", job, e, attempts))
            return ("retry", _masked(f"{type(e).__name__}: {e}", secrets))


def _masked(message: str, secrets: List[str]) -> str:
    """The engine keeps the message (trace, run records, dashboard): injected secrets are masked."""
    for v in sorted(secrets, key=len, reverse=True):
        message = message.replace(v, "***")
    return message


def _max_retries() -> int:
    from dlt.common.configuration.accessors import config

    v = config.get("load.raise_on_max_retries")
    try:
        return int(v) if v is not None else 5
    except (TypeError, ValueError):
        return 5


def step_exception(failures: List[Tuple[str, Dict[str, Any], BaseException, int]]) -> Optional[BaseException]:
    """The exception dlt's load step raises for the function's failures of one engine call (the
    last one decides): LoadClientJobRetry (the package stays pending), LoadClientJobFailed (a
    DestinationTerminalException: the job was given up), or a configuration error as it is.
    The user's exception is its cause."""
    if not failures:
        return None
    from dlt.load.exceptions import LoadClientJobFailed, LoadClientJobRetry

    kind, job, exc, attempts = failures[-1]
    if kind == "config":
        return exc
    message = _masked(f"{type(exc).__name__}: {exc}", job.get("_secrets") or [])
    if kind == "terminal":
        err: BaseException = LoadClientJobFailed(job["load_id"], job["storage_id"], message)
    else:
        err = LoadClientJobRetry(job["load_id"], job["storage_id"], attempts, _max_retries(), message, exc)
    err.__cause__ = exc
    err.__context__ = exc
    return err
