"""dlt.destinations.exceptions: what destinations and their SQL clients raise (dlt's classes and
bases: a DatabaseTerminalException is a DestinationTerminalException, so a TerminalException;
DestinationConnectionError a transient one). `pipeline.sql_client()` and failed loads raise these."""

from typing import Any, Sequence

from dlt.common.destination.exceptions import (
    DestinationException,
    DestinationTerminalException,
    DestinationTransientException,
    DestinationUndefinedEntity,
)


class DatabaseException(DestinationException):
    """An error of the database behind a destination; `dbapi_exception` is the driver's error."""

    def __init__(self, dbapi_exception: Any) -> None:
        self.dbapi_exception = dbapi_exception
        super().__init__(dbapi_exception)


class DatabaseTerminalException(DestinationTerminalException, DatabaseException):
    def __init__(self, dbapi_exception: Any) -> None:
        super().__init__(dbapi_exception)


class DatabaseUndefinedRelation(DestinationUndefinedEntity, DatabaseException):
    def __init__(self, dbapi_exception: Any) -> None:
        super().__init__(dbapi_exception)


class DatabaseTransientException(DestinationTransientException, DatabaseException):
    def __init__(self, dbapi_exception: Any) -> None:
        super().__init__(dbapi_exception)


class DestinationConnectionError(DestinationTransientException):
    def __init__(self, client_type: str, dataset_name: str, reason: str, inner_exc: Any = None) -> None:
        self.client_type = client_type
        self.dataset_name = dataset_name
        self.inner_exc = inner_exc
        super().__init__(
            f"Connection with `{client_type=:}` to `{dataset_name=:}` failed. Please check if you configured the "
            "credentials at all and provided the right credentials values. You can be also denied access or your "
            f"internet connection may be down. The actual reason given is: {reason}")


class LoadClientNotConnected(DestinationTransientException):
    def __init__(self, client_type: str, dataset_name: str) -> None:
        self.client_type = client_type
        self.dataset_name = dataset_name
        super().__init__(f"Connection with `{client_type=:}` to `{dataset_name=:}` is closed. Open the connection "
                         "with `client.open_connection` or with the `with client:` context manager")


class DestinationSchemaWillNotUpdate(DestinationTerminalException):
    def __init__(self, table_name: str, columns: Sequence[str], msg: str) -> None:
        self.table_name = table_name
        self.columns = columns
        super().__init__(f"Schema for table `{table_name}` column(s) `{columns}` will not update: {msg}")


class LoadJobTerminalException(DestinationTerminalException):
    def __init__(self, file_path: str, message: str) -> None:
        super().__init__(f"Job with `{file_path=:}` encountered unrecoverable problem: {message}")


class MergeDispositionException(DestinationTerminalException):
    def __init__(self, dataset_name: str, staging_dataset_name: str, tables: Sequence[str], reason: str) -> None:
        self.dataset_name = dataset_name
        self.staging_dataset_name = staging_dataset_name
        self.tables = tables
        self.reason = reason
        super().__init__(f"Merge sql job for `{dataset_name=:}` with `{staging_dataset_name=:}` COULD NOT BE "
                         f"GENERATED. Merge will not be performed. Data for the following tables `{tables}` is loaded "
                         f"to staging dataset. You may need to write your own materialization. The reason is:\n{reason}")
