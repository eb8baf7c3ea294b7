"""Evaluation of the items a resource yields that are not data yet, as dlt's pipe iterator does:
awaitables (coroutines, including what an `async def` transformer returns) run in one
background asyncio event loop, async generators are pulled there one `__anext__` at a time,
callables (`dlt.defer`, a `parallelized` transformer's calls) run in a thread pool, and
iterators (a generator returned by a transformer) are read item by item. Up to
`max_parallel_items` (dlt's default 20; `[extract] max_parallel_items`) of them are in flight at
once on `workers` threads (default 5; `[extract] workers`), and their results come out as they
finish, so, as in dlt, their order may differ from the order they were yielded in.

A resource whose items are all plain data never leaves the fast path: `resolved` passes rows and
pages through and only switches to the pool at the first item that needs evaluating.
"""

import asyncio
import contextvars
import inspect
import threading
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Dict, List, Optional, Tuple

from dlt.extract.items import DataItemWithMeta, rewrap

DEFAULT_WORKERS = 5
DEFAULT_MAX_PARALLEL_ITEMS = 20

_lock = threading.Lock()
_loop: Optional[asyncio.AbstractEventLoop] = None
_pools: Dict[int, ThreadPoolExecutor] = {}


def _event_loop() -> asyncio.AbstractEventLoop:
    """The event loop every awaitable of this process runs on (in a daemon thread), so that
    async clients made by one resource may be used by another, as in dlt's single pool."""
    global _loop
    with _lock:
        if _loop is None:
            loop = asyncio.new_event_loop()
            threading.Thread(target=_run_loop, args=(loop,), name="dlt-async-extract", daemon=True).start()
            _loop = loop
        return _loop


def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    loop.run_forever()


def _thread_pool(workers: int) -> ThreadPoolExecutor:
    with _lock:
        pool = _pools.get(workers)
        if pool is None:
            pool = _pools[workers] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dlt-extract")
        return pool


def extract_settings(source_name: Optional[str], resource_name: str) -> Tuple[int, int]:
    """(workers, max_parallel_items) as dlt reads them: `[sources.<source>.<resource>.extract]`,
    then `[sources.<source>.extract]`, then `[extract]`, else dlt's defaults (5, 20)."""
    out = []
    for key, default in (("workers", DEFAULT_WORKERS), ("max_parallel_items", DEFAULT_MAX_PARALLEL_ITEMS)):
        paths = [f"extract.{key}"]
        if source_name:
            paths[:0] = [f"sources.{source_name}.{resource_name}.extract.{key}", f"sources.{source_name}.extract.{key}"]
        value = None
        try:
            from dlt.common.configuration.accessors import config

            value = next((v for v in (config.get(p) for p in paths) if v is not None), None)
        except Exception:  # no workspace (a resource read with list()): dlt's defaults
            value = None
        try:
            out.append(int(value) if value is not None else default)
        except (TypeError, ValueError):
            raise ValueError(f"extract.{key} must be a whole number, got {value!r}") from None
    return out[0], out[1]


async def _await(awaitable: Any) -> Any:
    return await awaitable


def _needs_evaluation(data: Any) -> bool:
    return (inspect.isawaitable(data) or isinstance(data, (AsyncIterator, Iterator)) or
            (callable(data) and not isinstance(data, type)))


def resolved(items: Any, settings: Any = None, pipe_name: str = "") -> Iterator[Any]:
    """`items` with every awaitable, async iterator, callable and nested iterator evaluated.
    `settings` is a callable returning (workers, max_parallel_items), asked only when needed; a
    failure of one of them raises dlt's ResourceExtractionError of kind `future` for `pipe_name`."""
    it = iter(items)
    try:
        for item in it:
            t = type(item)
            if t is dict or t is list:
                yield item
                continue
            data = item.data if t is DataItemWithMeta else item
            if data is None or not _needs_evaluation(data):
                yield item
                continue
            workers, max_items = settings() if settings is not None else (DEFAULT_WORKERS, DEFAULT_MAX_PARALLEL_ITEMS)
            yield from _Evaluator(workers, max_items, pipe_name).run(it, item)
            return
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            close()


class _AsyncSource:
    """An async iterator being read: at most one `__anext__` of it is in flight."""

    __slots__ = ("agen", "meta", "busy")

    def __init__(self, agen: Any, meta: Any) -> None:
        self.agen = agen
        self.meta = meta
        self.busy = False


class _Evaluator:
    def __init__(self, workers: int, max_parallel_items: int, pipe_name: str) -> None:
        self.pipe_name = pipe_name
        self.workers = max(1, int(workers))
        self.max_items = max(1, int(max_parallel_items))
        self.sources: List[Any] = []  # [iterator, meta] or _AsyncSource, read round robin
        self.futures: Dict[Future, Tuple[Any, Optional[_AsyncSource]]] = {}  # in submission order
        self.next_source = 0

    def run(self, it: Iterator[Any], first: Any) -> Iterator[Any]:
        self.sources.append([it, None])
        pending: List[Tuple[Any, Any]] = [(first, None)]
        try:
            while True:
                while pending:
                    value, meta = pending.pop()
                    out = self._classify(value, meta)
                    if out is not None:
                        yield out
                done = self._done_future()
                if done is not None:
                    pending.append(self._result(done))
                    continue
                if len(self.futures) < self.max_items:  # dlt's max_parallel_items: else wait for a slot
                    got = self._next_from_sources()
                    if got is not None:
                        pending.append(got)
                        continue
                if not self.futures:
                    if not self.sources:
                        return
                    continue  # a busy async source always has a future: the others are read again
                wait(list(self.futures), return_when=FIRST_COMPLETED)
        finally:
            self._close()

    def _classify(self, value: Any, meta: Any) -> Any:
        """Data to yield (rewrapped with its mark), or None once `value` was put to work."""
        if isinstance(value, DataItemWithMeta):
            meta, value = value.meta, value.data
        if value is None:
            return None
        t = type(value)
        if t is dict or t is list or not _needs_evaluation(value):
            return rewrap(meta, value)
        if isinstance(value, AsyncIterator):
            self.sources.append(_AsyncSource(value, meta))
        elif isinstance(value, Iterator):
            self.sources.append([value, meta])
        elif inspect.isawaitable(value):
            coro = value if inspect.iscoroutine(value) else _await(value)
            self.futures[asyncio.run_coroutine_threadsafe(coro, _event_loop())] = (meta, None)
        else:  # a callable (dlt.defer): run in the thread pool with the caller's context
            ctx = contextvars.copy_context()
            self.futures[_thread_pool(self.workers).submit(ctx.run, value)] = (meta, None)
        return None

    def _done_future(self) -> Optional[Future]:
        for f in self.futures:
            if f.done():
                return f
        return None

    def _result(self, future: Future) -> Tuple[Any, Any]:
        meta, source = self.futures.pop(future)
        ex = future.exception()
        if source is not None:
            source.busy = False
            if isinstance(ex, StopAsyncIteration):
                self.sources.remove(source)
                return None, None
        if ex is not None:
            from dlt.common.exceptions import PipelineException
            from dlt.extract.exceptions import DltSourceException, ExtractorException, PipeException, \
                ResourceExtractionError

            if isinstance(ex, (PipelineException, ExtractorException, DltSourceException, PipeException)):
                raise ex
            err = ResourceExtractionError(self.pipe_name, future, str(ex), "future")
            err.__context__ = ex  # the user's exception: its cause and context, as dlt raises it
            raise err from ex
        return future.result(), meta

    def _next_from_sources(self) -> Optional[Tuple[Any, Any]]:
        """The next item of a sync source (round robin over them), after asking every idle async
        source for its next item; None when every source is waiting or exhausted."""
        n = len(self.sources)
        for _ in range(n):
            if not self.sources:
                return None
            self.next_source = (self.next_source - 1) % len(self.sources)
            src = self.sources[self.next_source]
            if isinstance(src, _AsyncSource):
                if not src.busy:
                    src.busy = True
                    future = asyncio.run_coroutine_threadsafe(_await(src.agen.__anext__()), _event_loop())
                    self.futures[future] = (src.meta, src)
                continue
            try:
                item = next(src[0])
            except StopIteration:
                self.sources.remove(src)
                continue
            return item, src[1]
        return None

    def _close(self) -> None:
        """Cancels what is in flight and closes every source (the limit or an error ended it)."""
        for f in list(self.futures):
            f.cancel()  # a task of the event loop is cancelled there; a running thread finishes
        self.futures.clear()
        for src in self.sources:
            if isinstance(src, _AsyncSource):
                try:
                    asyncio.run_coroutine_threadsafe(src.agen.aclose(), _event_loop()).result(timeout=10)
                except Exception:  # still running its cancelled step, or slow to close: left to the loop
                    pass
            else:
                close = getattr(src[0], "close", None)
                if close is not None:
                    close()
        self.sources.clear()
