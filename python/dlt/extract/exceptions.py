"""dlt.extract.exceptions: errors of resources and sources."""

from typing import Any

from dlt.common.exceptions import DltException


class ExtractorException(DltException):
    pass


class DltResourceException(ExtractorException):
    def __init__(self, resource_name: str, msg: str) -> None:
        self.resource_name = resource_name
        super().__init__(msg)


class DltSourceException(DltException):
    pass


class PipeException(DltException):
    pass


class ResourceExtractionError(PipeException):
    """User code of a resource raised (or yielded what cannot be serialized)."""

    def __init__(self, pipe_name: str, gen: Any, msg: str, kind: str) -> None:
        self.msg = msg
        self.kind = kind
        self.pipe_name = pipe_name
        self.func_name = getattr(gen, "__name__", None) or type(gen).__name__
        super().__init__(
            f"In processing pipe `{pipe_name}`: extraction of resource `{pipe_name}` in `{kind}`"
            f" `{self.func_name}` caused an exception: {msg}"
        )


class ResourceNameMissing(DltResourceException):
    def __init__(self) -> None:
        super().__init__(
            None,
            "Resource name is missing. If you create a resource directly from data ie. from a list you must pass"
            " the name explicitly in `name` argument.\n Please note that for resources created from functions or"
            " generators, the name is the function name by default.",
        )


class InvalidResourceDataType(DltResourceException):
    def __init__(self, resource_name: str, item: Any, _typ: type, msg: str) -> None:
        self.item = item
        self._typ = _typ
        super().__init__(resource_name, f"Cannot create resource `{resource_name}` from specified data. " + msg)


class ResourcesNotFoundError(DltSourceException):
    def __init__(self, source_name: str, available_resources, requested_resources) -> None:
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
