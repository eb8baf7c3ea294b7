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


class DestinationConnectionError(DestinationTransientException):
    def __init__(self, client_type: str, dataset_name: str, reason: str, inner_exc: Exception = None) -> None:
        self.client_type = client_type
        self.dataset_name = dataset_name
        self.inner_exc = inner_exc
        super().__init__(
            f"Connection with `{client_type=:}` to `{dataset_name=:}` failed. Please check if you configured the credentials"
            f" at all and provided the right credentials values. You can be also denied access or your internet connection may"
            f" be down. The actual reason given is: {reason}")


class DestinationHasFailedJobs(DestinationTerminalException):
    def __init__(self, destination_name: str, load_id: str, failed_jobs: List[Any]) -> None:
        self.destination_name = destination_name
        self.load_id = load_id
        self.failed_jobs = failed_jobs
        super().__init__(
            f"Destination `{destination_name}` has failed jobs in load package `{load_id}`:\n" +
            "\n".join(f"\t{j.job_file_info.job_id()}: {j.failed_message}" for j in failed_jobs))


class UnknownDestinationModule(DestinationException):
    def __init__(self, destination_module: str) -> None:
        self.destination_module = destination_module
        super().__init__(f"Destination `{destination_module}` is not one of the standard dlt destinations")
