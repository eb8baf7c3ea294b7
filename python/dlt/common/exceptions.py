"""dlt's base exceptions (dlt.common.exceptions), for user code that catches them."""

from typing import Optional


class DltException(Exception):
    def __reduce__(self):
        return type(self), self.args, self.__dict__


class TerminalException(BaseException):
    """Marks an exception that cannot be retried."""


class TransientException(BaseException):
    """Marks an exception that may go away when retried."""


class PipelineException(DltException):
    def __init__(self, pipeline_name: str, msg: str) -> None:
        self.pipeline_name = pipeline_name
        super().__init__(msg)


class MissingDependencyException(DltException):
    def __init__(self, caller: str, dependencies, appendix: str = "") -> None:
        self.caller = caller
        self.dependencies = list(dependencies)
        msg = f"\nYou must install additional dependencies to run {caller}. If you use pip you may do the following:\n\n"
        msg += f'pip install {" ".join(self.dependencies)}\n'
        if appendix:
            msg += "\n" + appendix
        super().__init__(msg)


class ValueErrorWithKnownValues(ValueError):
    def __init__(self, key: str, value_received, valid_values) -> None:
        self.key = key
        self.value_received = value_received
        self.valid_values = list(valid_values)
        super().__init__(f"Received invalid value `{key}={value_received}`. Valid values are: {self.valid_values}")


class PipelineStateNotAvailable(PipelineException):
    def __init__(self, source_state_key: Optional[str] = None) -> None:
        if source_state_key:
            msg = (f"The source `{source_state_key}` requested the access to pipeline state but no pipeline is "
                   "active right now.")
        else:
            msg = "The resource you called requested the access to pipeline state but no pipeline is active right now."
        msg += " Call `dlt.pipeline(...)` before you call the `@dlt.source` or  `@dlt.resource` decorated function."
        self.source_state_key = source_state_key
        super().__init__(None, msg)


class ResourceNameNotAvailable(PipelineException):
    def __init__(self) -> None:
        super().__init__(None, "A resource state was requested but no active extract pipe context was found. "
                               "Resource state may be only requested from `@dlt.resource` decorated function or "
                               "with explicit resource name.")


class SourceSectionNotAvailable(PipelineException):
    def __init__(self) -> None:
        super().__init__(None, "Access to state was requested without source section active. State should be "
                               "requested from within the `@dlt.source` and `@dlt.resource` decorated function.")
