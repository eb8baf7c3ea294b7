"""dlt's configuration specs: `@configspec` classes (dataclasses with a dict interface) whose
fields are resolved from the active profile's configuration, as dlt's docs write them.

    @configspec
    class ApiCredentials(CredentialsConfiguration):
        api_key: str = None           # required: None and not Optional
        region: Optional[str] = "eu"  # optional

An argument of a source or resource typed with a spec is resolved field by field under the
argument's key (`sources.<module>.<source>.<arg>.<field>`, dropping sections as for any
argument), over a value found at the key itself (a table of fields, or a native value that
`parse_native_representation` takes). A required field that stays None raises
ConfigFieldMissingException naming the spec and every place looked at.

Specs print as Python objects do (`<ApiCredentials object at 0x...>`), never their values, so a
secret field cannot reach a log through `repr`.
"""

import contextlib
import dataclasses
import functools
import sys
import types
import typing
import warnings
from collections.abc import Mapping
from typing import Any, ClassVar, Dict, Iterator, MutableMapping, Optional, Type, TypeVar

TSpec = TypeVar("TSpec", bound="BaseConfiguration")

_MUTABLE = (list, dict, set)


def _own_annotations(cls: type) -> Dict[str, Any]:
    return dict(cls.__dict__.get("__annotations__", {}))


def _is_classvar(hint: Any) -> bool:
    if isinstance(hint, str):
        return hint.replace("typing.", "").startswith("ClassVar")
    return hint is ClassVar or typing.get_origin(hint) is ClassVar


def _prepare_fields(cls: type) -> None:
    """As dlt's configspec: every annotated field gets a default (None when it has none); the
    config/secret sentinels become None; mutable and spec defaults become per-instance copies."""
    for name, hint in _own_annotations(cls).items():
        if name.startswith("__") or name in cls.__dict__ or _is_classvar(hint):
            continue
        warnings.warn(f"Missing default value for field {name} on {cls.__name__}. None assumed. All fields in "
                      "configspec must have defaults.")
        setattr(cls, name, None)
    annotations = _own_annotations(cls)
    for name, value in list(cls.__dict__.items()):
        if name.startswith("__") or name not in annotations or _is_classvar(annotations[name]):
            continue
        from dlt.common.configuration.accessors import is_sentinel

        if is_sentinel(value):
            setattr(cls, name, None)
        elif isinstance(value, BaseConfiguration):
            setattr(cls, name, dataclasses.field(default_factory=value.copy))
        elif isinstance(value, _MUTABLE):
            setattr(cls, name, dataclasses.field(default_factory=lambda v=value: type(v)(v)))


def _spec_of_plain_class(cls: type) -> type:
    """`@configspec` on a class that is not a BaseConfiguration (the REST client's auth classes,
    which keep their own __init__): its own annotated fields get defaults, and when it has no
    __init__ of its own, the inherited one is kept and the fields become keyword arguments."""
    own = [n for n in _own_annotations(cls) if not n.startswith("_")]
    defaults = {n: cls.__dict__.get(n) for n in own}
    for n in own:
        setattr(cls, n, None if defaults[n] is None else defaults[n])
    if own and "__init__" not in cls.__dict__:
        inherited = cls.__init__

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            mine = {n: kwargs.pop(n) for n in own if n in kwargs}
            inherited(self, *args, **kwargs)
            for n in own:
                value = mine.get(n, defaults[n])
                setattr(self, n, type(value)(value) if isinstance(value, _MUTABLE) else value)

        __init__.__qualname__ = f"{cls.__qualname__}.__init__"
        cls.__init__ = __init__  # type: ignore[misc]
    cls.__configspec__ = True  # type: ignore[attr-defined]
    return cls


def _fill_factories_before(cls: type) -> None:
    """A spec with an __init__ of its own: fields whose default is made per instance (lists,
    dicts, specs) get it before that __init__ runs, as a synthesized __init__ would give them."""
    own_init = cls.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        for f in dataclasses.fields(type(self)):
            if f.default_factory is not dataclasses.MISSING and f.name not in self.__dict__:
                object.__setattr__(self, f.name, f.default_factory())
        own_init(self, *args, **kwargs)

    cls.__init__ = functools.wraps(own_init)(__init__)  # type: ignore[misc]


def configspec(cls: Optional[type] = None, /, *, init: bool = True) -> Any:
    """Makes `cls` a configuration spec (a dataclass that is also a mapping of its fields).
    An `__init__` of the class's own is kept; otherwise one taking every field is made."""

    def wrap(cls: type) -> type:
        if not issubclass(cls, BaseConfiguration):
            from dlt.sources.helpers.rest_client.auth import AuthConfigBase

            if issubclass(cls, AuthConfigBase):
                return _spec_of_plain_class(cls)
            ns: Dict[str, Any] = {"__module__": cls.__module__, "__qualname__": cls.__qualname__,
                                  "__annotations__": _own_annotations(cls), "__doc__": cls.__doc__}
            for name in ns["__annotations__"]:
                if name in cls.__dict__:
                    ns[name] = cls.__dict__[name]
            cls = type(cls.__name__, (cls, BaseConfiguration), ns)
        _prepare_fields(cls)
        has_own_init = "__init__" in cls.__dict__
        base_params = getattr(cls, "__dataclass_params__", None)
        synth_init = init and not has_own_init and (base_params is None or base_params.init)
        cls = dataclasses.dataclass(cls, init=synth_init, eq=False, repr=False)
        if has_own_init:
            _fill_factories_before(cls)
        cls.__configspec__ = True  # type: ignore[attr-defined]
        return cls

    return wrap if cls is None else wrap(cls)


def _union_args(hint: Any) -> Optional[tuple]:
    """The members of `Union[...]` / `X | Y`, else None."""
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return typing.get_args(hint)
    return None


def _is_optional(hint: Any) -> bool:
    """As dlt's is_optional_type: None is allowed (Optional[X], X | None); `Any` is not."""
    if hint is None or hint is type(None):
        return True
    if typing.get_origin(hint) is typing.Annotated:
        return _is_optional(typing.get_args(hint)[0])
    args = _union_args(hint)
    return args is not None and type(None) in args


class BaseConfiguration(MutableMapping[str, Any]):
    """The base of every spec: dataclass fields with a dict interface."""

    __section__: ClassVar[Optional[str]] = None
    __is_resolved__ = False  # not a field: set by resolve()

    @classmethod
    def from_init_value(cls: Type[TSpec], init_value: Any = None) -> TSpec:
        """A spec from a dict of its fields or from its native representation (a connection
        string, ...); resolved when no required field is missing."""
        self = cls()
        if isinstance(init_value, Mapping):
            self.update(init_value)
        elif init_value is not None:
            self.parse_native_representation(init_value)
        if not self.is_partial():
            with contextlib.suppress(Exception):  # as dlt: an on_resolved that fails leaves it unresolved
                self.resolve()
        return self

    def parse_native_representation(self, native_value: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} has no native representation; give its fields as a table")

    def to_native_representation(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} has no native representation")

    @classmethod
    def get_resolvable_fields(cls) -> Dict[str, Any]:
        """Field name -> type hint of every field that configuration can set (string annotations,
        as `from __future__ import annotations` makes them, evaluated field by field)."""
        out = {}
        for f in dataclasses.fields(cls):
            if not f.name.startswith("__"):
                # in the module of the class that declares the field (an inherited one may come
                # from another module)
                owner = next((k for k in cls.__mro__ if f.name in k.__dict__.get("__annotations__", {})), cls)
                out[f.name] = resolve_hint(f.type, owner)
        return out

    @classmethod
    def is_field_resolved(cls, value: Any, hint: Any) -> bool:
        if _is_optional(hint):
            return True
        if value is None:
            return False
        return value.is_resolved() if isinstance(value, BaseConfiguration) else True

    def is_resolved(self) -> bool:
        return self.__is_resolved__

    def is_partial(self) -> bool:
        """Whether a required field (not Optional) still has no value."""
        if self.__is_resolved__:
            return False
        return any(not self.is_field_resolved(getattr(self, f), h) for f, h in self.get_resolvable_fields().items())

    def missing_fields(self) -> list:
        return [f for f, h in self.get_resolvable_fields().items() if not self.is_field_resolved(getattr(self, f), h)]

    def resolve(self: TSpec) -> TSpec:
        """Marks the spec resolved after the `on_resolved` of each class that defines one (bases
        first), as dlt does."""
        for klass in reversed(type(self).__mro__):
            hook = klass.__dict__.get("on_resolved")
            if callable(hook):
                hook(self)
        self.__is_resolved__ = True
        return self

    def copy(self: TSpec) -> TSpec:
        new = object.__new__(type(self))
        for f in dataclasses.fields(self):
            if hasattr(self, f.name):
                v = getattr(self, f.name)
                object.__setattr__(new, f.name, v.copy() if isinstance(v, BaseConfiguration) else v)
        new.__is_resolved__ = self.__is_resolved__
        return new

    def as_dict_nondefault(self) -> Dict[str, Any]:
        out = {}
        for f in dataclasses.fields(self):
            if f.name.startswith("__"):
                continue
            default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            if getattr(self, f.name) != default:
                out[f.name] = getattr(self, f.name)
        return out

    # the dict interface over the fields
    def _has_field(self, key: str) -> bool:
        return not key.startswith("__") and key in getattr(self, "__dataclass_fields__", {})

    def __getitem__(self, key: str) -> Any:
        if self._has_field(key):
            return getattr(self, key)
        raise KeyError(key)

    def __setitem__(self, key: str, value: Any) -> None:
        if not self._has_field(key):
            raise KeyError(key)
        setattr(self, key, value)

    def __delitem__(self, key: str) -> None:
        raise KeyError("Configuration fields cannot be deleted")

    def __iter__(self) -> Iterator[str]:
        return (f.name for f in dataclasses.fields(self) if not f.name.startswith("__"))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def update(self, other: Any = (), /, **kwds: Any) -> None:
        """Sets the fields that `other`/`kwds` name; other keys are ignored, as in dlt."""
        items = dict(other.items() if isinstance(other, Mapping) else other)
        items.update(kwds)
        for k, v in items.items():
            if self._has_field(k):
                setattr(self, k, v)

    def __repr__(self) -> str:
        return object.__repr__(self)

    __str__ = __repr__


class CredentialsConfiguration(BaseConfiguration):
    """The base of credentials: resolved from secret providers only (secrets.toml, env)."""

    __section__: ClassVar[Optional[str]] = "credentials"

    def to_native_credentials(self) -> Any:
        return self.to_native_representation()


BaseConfiguration = configspec(BaseConfiguration)  # type: ignore[misc]
CredentialsConfiguration = configspec(CredentialsConfiguration)  # type: ignore[misc]


def is_spec_type(hint: Any) -> bool:
    """Whether a type hint is a spec class (or Optional of one)."""
    return spec_type(hint) is not None


def spec_type(hint: Any) -> Optional[type]:
    """The spec class of a hint (`MySpec`, `Optional[MySpec]`, `MySpec | None`), else None."""
    if isinstance(hint, type):
        return hint if issubclass(hint, BaseConfiguration) else None
    if typing.get_origin(hint) is typing.Annotated:
        return spec_type(typing.get_args(hint)[0])
    args = _union_args(hint)
    if args is not None:
        specs = [a for a in args if isinstance(a, type) and issubclass(a, BaseConfiguration)]
        return specs[0] if specs else None
    return None


def resolve_hint(hint: Any, owner: Any) -> Any:
    """A string annotation evaluated in the namespace of `owner` (a class or a function's
    module); the text itself when it does not evaluate."""
    if not isinstance(hint, str):
        return hint
    module = sys.modules.get(getattr(owner, "__module__", ""), None)
    ns = dict(vars(module)) if module else {}
    if isinstance(owner, type):
        ns.update({k: v for k, v in vars(owner).items() if not k.startswith("__")})
    ns.setdefault("typing", typing)
    try:
        return eval(hint, ns)  # noqa: S307  (an annotation of the user's own code)
    except Exception:  # noqa: BLE001
        return hint


def is_secret_spec(cls: type) -> bool:
    return issubclass(cls, CredentialsConfiguration)


__all__ = ["BaseConfiguration", "CredentialsConfiguration", "configspec", "is_spec_type", "spec_type"]
