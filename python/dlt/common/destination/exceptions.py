"""dlt.common.destination.exceptions."""

from typing import Any, List

from dlt.common.exceptions import DltException, TerminalException, TransientException


class DestinationException(DltException):
    pass


class DestinationTerminalException(DestinationException, TerminalException):
    pass


class DestinationTransientException(DestinationException, TransientException):
    pass


class DestinationUndefinedEntity(DestinationTerminalException):
    pass


class WithJobError:
    """Marks an exception of a failed job: `load_id`, `job_id` and `failed_message` name it."""

    load_id: str
    job_id: str
    failed_message: str


class DestinationHasFailedJobs(DestinationTerminalException):
    def __init__(self, destination_name: str, load_id: str, failed_jobs: List[Any]) -> None:
        self.destination_name = destination_name
        self.load_id = load_id
        self.failed_jobs = failed_jobs
        super().__init__(
            f"Destination `{destination_name}` has failed jobs in load package `{load_id}`:\n" +
            "\n".join(f"\t{j.job_file_info.job_id()}: {j.failed_message}" for j in failed_jobs))


class IdentifierTooLongException(DestinationTerminalException):
    """A table or column name longer than the destination takes (names normalized without its
    limit, as by normalize() of a pipeline without a destination)."""

    def __init__(self, destination_name: str, identifier_type: str, identifier_name: str,
                 max_identifier_length: int, message: str = "") -> None:
        self.destination_name = destination_name
        self.identifier_type = identifier_type
        self.identifier_name = identifier_name
        self.max_identifier_length = max_identifier_length
        super().__init__(message or f"The length of {identifier_type} {identifier_name} exceeds"
                                    f" {max_identifier_length} allowed for {destination_name}")


class UnknownDestinationModule(DestinationException):
    def __init__(self, destination_module: str) -> None:
        self.destination_module = destination_module
        super().__init__(f"Destination `{destination_module}` is not one of the standard dlt destinations")


def __getattr__(name: str) -> Any:
    # dlt keeps DestinationConnectionError in dlt.destinations.exceptions; the same class here
    if name == "DestinationConnectionError":
        from dlt.destinations.exceptions import DestinationConnectionError

        return DestinationConnectionError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
