"""A failed engine call as the exceptions dlt raises: PipelineStepFailed whose `__context__` (and
`__cause__`) is the exception that failed the step, chained as dlt chains it, so code written
for dlt (`e.__context__`, `e.__context__.__context__`) finds what it looks for:

- user code of a resource raised: ResourceExtractionError (the user's exception its cause and
  context), or the user's exception itself when it is one of dlt's pipe/source/pipeline errors;
- a frozen schema contract at normalize: NormalizeJobFailed, whose context is DataValidationError
  (at extract: DataValidationError itself);
- a row without an incremental cursor value: IncrementalCursorPathMissing;
- destination, configuration and data errors: dlt's classes of those.
"""

import re
from typing import Any, Dict, Optional

from dlt.common.exceptions import DltException, PipelineException
from dlt.extract.exceptions import DltSourceException, ExtractorException, PipeException, ResourceExtractionError
from dlt.pipeline.exceptions import PipelineStepFailed


def chained(outer: BaseException, inner: BaseException) -> BaseException:
    """`outer` raised from `inner`, as `raise outer from inner` inside `except inner` would leave it."""
    outer.__cause__ = inner
    outer.__context__ = inner
    return outer


def raise_chained(err: BaseException) -> None:
    """Raises `err` keeping the context set on it: a `raise` while user code handles another
    exception (a run inside an `except` block) would make that exception the context."""
    cause = err.__cause__
    try:
        raise err
    except BaseException:
        err.__context__ = cause
        err.__cause__ = cause
        raise


def step_failed(pipeline: Any, result: Dict[str, Any], step_info: Any = None) -> PipelineStepFailed:
    """The PipelineStepFailed of a failed engine call (`result`: what the native call returned)."""
    step = result.get("step") or "extract"
    load_id = result.get("load_id")
    py_error = result.get("python_error")
    if py_error is not None:
        step, load_id = "extract", None
        exc = _extraction_error(pipeline, result, py_error)
    else:
        exc = _engine_error(pipeline, step, load_id, result.get("kind"), result["message"])
    return chained(PipelineStepFailed(pipeline, step, load_id, exc, step_info), exc)


def _extraction_error(pipeline: Any, result: Dict[str, Any], py_error: BaseException) -> BaseException:
    if isinstance(py_error, (PipelineException, ExtractorException, DltSourceException, PipeException)):
        return py_error  # dlt lets its own errors through its pipes as they are
    name = result.get("resource") or "?"
    r = pipeline._extracting.get(name)
    gen = (r._fn or r._data) if r is not None else py_error
    return chained(ResourceExtractionError(name, gen, str(py_error), "generator"), py_error)


_COLLISION = re.compile(r"In schema `([^`]*)`: A `(table|column)` name `(.+?)`(?: in table `(.+?)`)? collides with `(.+?)`"
                        r" after normalization with `([^`]+)` naming convention\. (.*)", re.S)


_TOO_LONG = re.compile(r"The length of (table|column) `(.+?)` \(\d+ characters\) exceeds (\d+) allowed for "
                       r"destination `([^`]*)`")


def _engine_error(pipeline: Any, step: str, load_id: Optional[str], kind: Optional[str], msg: str) -> BaseException:
    m = _TOO_LONG.search(msg)
    if m:
        from dlt.common.destination.exceptions import IdentifierTooLongException

        what, name, limit, destination = m.groups()
        return IdentifierTooLongException(destination, what, name, int(limit), msg)
    m = _COLLISION.search(msg)
    if m:
        from dlt.common.schema.exceptions import SchemaIdentifierNormalizationCollision

        schema, what, name, table, other, naming, rest = m.groups()
        return SchemaIdentifierNormalizationCollision(schema, table or name, what, name, other, naming, rest)
    if kind == "schema_contract":
        dve = _data_validation_error(pipeline, msg)
        if step != "normalize":
            return dve
        from dlt.normalize.exceptions import NormalizeJobFailed

        # the engine normalizes a table's rows as one job: the job is named by its table
        return chained(NormalizeJobFailed(load_id, dve.table_name or "?", str(dve), []), dve)
    if kind == "data":
        from dlt.normalize.exceptions import NormalizeException

        return NormalizeException(msg)
    if kind == "destination":
        from dlt.common.destination.exceptions import DestinationTerminalException
        from dlt.destinations.exceptions import DestinationConnectionError

        low = msg.lower()
        if "connect" in low or "could not" in low or "unreachable" in low:
            dtype = pipeline.destination.destination_type if pipeline.destination else "?"
            return DestinationConnectionError(dtype, pipeline.dataset_name, msg, None)
        return DestinationTerminalException(msg)
    if kind == "config":
        from dlt.common.configuration.exceptions import ConfigurationException

        return ConfigurationException(msg)
    if kind == "source":
        from dlt.extract.incremental import exceptions as inc_exc

        m = re.match(r"(?:(.+?):\d+: )?the record has (no value|the value None) for the incremental cursor `([^`]+)`", msg)
        if m:
            cls = inc_exc.IncrementalCursorPathMissing if m.group(2) == "no value" else \
                inc_exc.IncrementalCursorPathHasValueNone
            return cls(m.group(1) or "?", m.group(3), None, msg)
        m = re.match(r"(?:(.+?):\d+: )?the incremental cursor `([^`]+)` value (.*) cannot be compared with the "
                     r"(last|end) value (.*)$", msg, re.S)
        if m:
            # dlt's IncrementalCursorInvalidCoercion, with the engine's message
            exc = inc_exc.IncrementalCursorInvalidCoercion.__new__(inc_exc.IncrementalCursorInvalidCoercion)
            PipeException.__init__(exc, m.group(1) or "?", msg)
            exc.cursor_path, exc.cursor_value_type = m.group(2), m.group(4) + "_value"
            exc.cursor_value, exc.item = m.group(5), None
            return exc
        return ExtractorException(msg)
    return DltException(msg)


def _data_validation_error(pipeline: Any, msg: str) -> BaseException:
    """DataValidationError with the table, column, entity and mode the engine's message names."""
    from dlt.common.schema.exceptions import DataValidationError

    def find(pattern: str) -> Optional[str]:
        m = re.search(pattern, msg)
        return m.group(1) if m else None

    entity = find(r'schema_contract\.(\w+) = "')
    mode = find(r'schema_contract\.\w+ = "(\w+)"') or "freeze"
    table = find(r"(?:to table|the new table|of table) `([^`]+)`")
    column = None
    if entity != "tables":
        column = find(r"new column `([^`]+)`") or find(r"column `([^`]+)` of table") or \
            find(r"(?:column|field) `([^`]+)`")
    schema_name = pipeline._run_schema or pipeline.default_schema_name or pipeline.pipeline_name
    return DataValidationError(schema_name, table, column, entity, mode, None, None, None, extended_info=msg)
