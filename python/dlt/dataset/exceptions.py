"""dlt.dataset.exceptions: the errors of pipeline.dataset() and its relations, as dlt names them."""

from typing import Optional, Sequence

from dlt.common.exceptions import DltException


class DatasetException(DltException):
    pass


class RelationHasQueryException(DatasetException):
    def __init__(self, attempted_change: str) -> None:
        super().__init__(
            "This readable relation was created with a provided sql query. You cannot change"
            f" `{attempted_change}`. Please change the orignal sql query."
        )


class RelationUnknownColumnException(DatasetException, KeyError):
    """A column the relation does not have (dlt raises a KeyError for such columns in where() and
    relation[...]; this is both)."""

    def __init__(self, column_name: str, available: Optional[Sequence[str]] = None) -> None:
        self.column_name = column_name
        self.available = list(available) if available is not None else None
        msg = f"The selected column `{column_name}` is not known in the dlt schema for this relation."
        if self.available is not None:
            msg += f" Available columns: {self.available}"
        self.msg = msg
        super().__init__(msg)

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return self.msg


class LineageFailedException(DltException):
    def __init__(self, msg: Optional[str] = None, *, resource_name: Optional[str] = None) -> None:
        super().__init__(msg)
        self.resource_name = resource_name
