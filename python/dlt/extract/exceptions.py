"""dlt.extract.exceptions: errors of resources, sources and the pipes that read them, with dlt's
names, base classes and attributes (`pipe_name`, `resource_name`, `kind`, `func_name`)."""

import inspect
from typing import Any

from dlt.common.exceptions import DltException


def _callable_name(f: Any) -> str:
    """The name dlt gives a generator, a function or another object in its messages."""
    if inspect.isgenerator(f):
        return f.__name__
    if callable(f):
        return getattr(f, "__name__", None) or type(f).__name__
    return str(f)


class ExtractorException(DltException):
    pass


class DltSourceException(DltException):
    pass


class DltResourceException(DltSourceException):
    def __init__(self, resource_name: str, msg: str) -> None:
        self.resource_name = resource_name
        super().__init__(msg)


class PipeException(DltException):
    """An error while a resource's pipe (its generator and steps) is read; the message names it."""

    def __init__(self, pipe_name: str, msg: str) -> None:
        self.pipe_name = pipe_name
        super().__init__(f"In processing pipe `{pipe_name}`: " + msg)


class PipeItemProcessingError(PipeException):
    pass


class ResourceExtractionError(PipeException):
    """User code of a resource raised: `kind` is `generator` (the resource's own code) or
    `transform` (a step of it); the user's exception is its `__cause__` and `__context__`."""

    def __init__(self, pipe_name: str, gen: Any, msg: str, kind: str) -> None:
        self.msg = msg
        self.kind = kind
        self.func_name = _callable_name(gen)
        super().__init__(pipe_name, f"extraction of resource `{pipe_name}` in `{kind}` `{self.func_name}` caused an"
                                    f" exception: {msg}")


class ResourceNameMissing(DltResourceException):
    def __init__(self) -> None:
        super().__init__(
            None,
            "Resource name is missing. If you create a resource directly from data ie. from a list you must pass"
            " the name explicitly in `name` argument.\n Please note that for resources created from functions or"
            " generators, the name is the function name by default.",
        )


class ResourceNotFoundError(DltResourceException, KeyError):
    def __init__(self, resource_name: str, context: str) -> None:
        super().__init__(resource_name, f"Resource with `{resource_name}` could not be found: {context}")


class InvalidResourceDataType(DltResourceException):
    def __init__(self, resource_name: str, item: Any, _typ: type, msg: str) -> None:
        self.item = item
        self._typ = _typ
        super().__init__(resource_name, f"Cannot create resource `{resource_name}` from specified data. " + msg)


class ResourcesNotFoundError(DltSourceException):
    def __init__(self, source_name: str, available_resources: Any, requested_resources: Any) -> None:
        self.source_name = source_name
        self.available_resources = set(available_resources)
        self.requested_resources = set(requested_resources)
        self.not_found_resources = self.requested_resources.difference(self.available_resources)
        super().__init__(
            f"Resources {sorted(self.not_found_resources)} not found in source `{source_name}`. "
            f"Available resources: {sorted(self.available_resources)}"
        )


class DataItemRequiredForDynamicTableHints(DltResourceException):
    def __init__(self, resource_name: str) -> None:
        super().__init__(resource_name, f"A data item is required to evaluate dynamic hints of resource `{resource_name}`")


class CurrentSourceSchemaNotAvailable(DltSourceException):
    def __init__(self) -> None:
        super().__init__("Current source schema is available only when called from a function decorated with "
                         "dlt.source or dlt.resource")


class CurrentSourceNotAvailable(DltSourceException):
    def __init__(self) -> None:
        super().__init__("Current source is available only when called from a function decorated with "
                         "dlt.resource or dlt.transformer during the extract step")


class IncrementalUnboundError(DltResourceException):
    """An incremental's value was asked for while it belongs to no resource: as dlt, most often
    the default argument of a generator function that was called directly to make a resource."""

    def __init__(self, cursor_path: str) -> None:
        super().__init__(
            "",
            f"The incremental definition with `cursor_path={cursor_path}` is used without being bound to the"
            " resource. This most often happens when you create dynamic resource from a generator"
            " function that uses incremental. See"
            " https://dlthub.com/docs/general-usage/incremental-loading#incremental-loading-with-last-value"
            " for an example.",
        )
