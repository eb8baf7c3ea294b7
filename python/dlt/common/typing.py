"""dlt.common.typing: the type names dlt's users annotate resources and sources with."""

from typing import Any, Callable, Dict, List, Mapping, NewType, Sequence, TypeVar, Union

TDataItem = Any
"""A single data item (a row) as a resource yields it."""
TDataItems = Union[TDataItem, List[TDataItem]]
"""A row or a page of rows."""
TAny = TypeVar("TAny")
TFun = TypeVar("TFun", bound=Callable[..., Any])
AnyFun = Callable[..., Any]
DictStrAny = Dict[str, Any]
DictStrStr = Dict[str, str]
StrAny = Mapping[str, Any]
StrStr = Mapping[str, str]
StrStrStr = Mapping[str, Mapping[str, str]]
# as dlt: a value typed with these is read from secret providers only (secrets.toml, env)
TSecretValue = NewType("TSecretValue", Any)  # type: ignore[valid-newtype]
TSecretStrValue = NewType("TSecretStrValue", str)
TSecretsValue = Any
TColumnNames = Union[str, Sequence[str]]
