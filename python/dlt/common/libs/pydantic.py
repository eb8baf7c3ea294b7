"""Pydantic models as dlt uses them: a model's fields as table columns
(`pydantic_to_table_schema_columns`), the model rebuilt for a schema contract
(`apply_schema_contract_to_model`) and items validated against it, with dlt's
`DataValidationError` for what a frozen contract refuses.

Column types follow dlt's rules: int -> bigint, str -> text, float -> double, bool -> bool,
datetime/date/time, Decimal -> decimal, bytes -> binary, an int/str Enum -> bigint/text, list, dict
and nested models -> json (a nested model is flattened into `<field>__<sub field>` columns, and
lists and dicts left out, with `dlt_config = {"skip_nested_types": True}`), `Optional[...]` ->
nullable, a Union -> its first type, `Any` and `Json` -> left to the data, anything else -> text.
"""

import types
import warnings
from typing import Annotated, Any, ClassVar, Dict, Final, List, Literal, Optional, Type, TypedDict, Union, get_args, \
    get_origin

from dlt.common.exceptions import MissingDependencyException
from dlt.common.schema.exceptions import DataValidationError

try:
    from pydantic import VERSION as PYDANTIC_VERSION

    if not PYDANTIC_VERSION.startswith("2."):
        raise ImportError(f"pydantic {PYDANTIC_VERSION} was found")
    from pydantic import BaseModel, Json, ValidationError, create_model
except ImportError as e:
    raise MissingDependencyException("dlt Pydantic helpers", ["pydantic>=2.0"],
                                     f"Pydantic 2.x is required to use a model as `columns` ({e})") from None

__all__ = ["BaseModel", "DltConfig", "ValidationError", "pydantic_to_table_schema_columns",
           "apply_schema_contract_to_model", "create_list_model", "validate_and_filter_item",
           "validate_and_filter_items", "column_mode_to_extra", "extra_to_column_mode", "get_extra_from_model"]


class DltConfig(TypedDict, total=False):
    """dlt's settings of a model: `dlt_config: ClassVar[DltConfig] = {...}` on the model."""

    skip_nested_types: bool
    skip_complex_types: bool  # the deprecated name of skip_nested_types
    return_validated_models: bool
    is_authoritative_model: Optional[bool]


_SIMPLE_TYPES: Dict[Any, str] = {str: "text", int: "bigint", float: "double", bool: "bool", dict: "json",
                                 list: "json"}


def _strip_modifiers(t: Any) -> Any:
    while get_origin(t) in (Final, ClassVar, Annotated):
        t = get_args(t)[0]
    return t


def _is_union(t: Any) -> bool:
    return get_origin(_strip_modifiers(t)) in (Union, types.UnionType)


def _is_optional(t: Any) -> bool:
    t = _strip_modifiers(t)
    if _is_union(t) and type(None) in get_args(t):
        return True
    super_t = getattr(t, "__supertype__", None)  # a NewType
    return _is_optional(super_t) if super_t is not None else False


def _inner_type(t: Any) -> Any:
    """The type inside Optional, Final, Annotated, Literal (the type of its first value), NewType."""
    t = _strip_modifiers(t)
    if _is_union(t) and _is_optional(t):
        return _inner_type(get_args(t)[0])
    if get_origin(t) is Literal:
        return type(get_args(t)[0])
    if hasattr(t, "__supertype__"):
        return _inner_type(t.__supertype__)
    return t


def _origin_is(t: Any, kind: type) -> bool:
    import collections.abc

    abc = {list: collections.abc.Sequence, dict: collections.abc.Mapping, set: collections.abc.Set}[kind]
    try:
        return issubclass(get_origin(t), abc)
    except TypeError:
        return False


def _is_model(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, BaseModel)


def _data_type(t: Any) -> str:
    """dlt's data type of a Python type; TypeError when it has none."""
    import dataclasses
    import datetime
    import decimal
    import enum
    from collections.abc import Mapping, Sequence

    if t in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[t]
    for base, name in ((dict, "json"), (list, "json"), (decimal.Decimal, "decimal"),
                       (datetime.datetime, "timestamp"), (datetime.date, "date"), (datetime.time, "time"),
                       (str, "text"), (float, "double"), (int, "bigint"), (bytes, "binary")):
        if issubclass(t, base):
            return name
    if dataclasses.is_dataclass(t) or issubclass(t, (Mapping, Sequence)):
        return "json"
    if issubclass(t, enum.Enum):
        return "bigint" if issubclass(t, int) else "text"
    raise TypeError(t)


def _discriminated_variants(model: Any) -> Optional[List[Type[BaseModel]]]:
    """The member models of a RootModel over a discriminated union (None for other models)."""
    if not getattr(model, "__pydantic_root_model__", False):
        return None
    root = model.model_fields.get("root")
    if root is None or not isinstance(root.discriminator, str):
        return None
    return [m for m in get_args(_strip_modifiers(root.annotation)) if _is_model(m)] or None


def pydantic_to_table_schema_columns(model: Any) -> Dict[str, Dict[str, Any]]:
    """The table columns of a model (a class or an instance), as dlt makes them."""
    variants = _discriminated_variants(model)
    if variants is not None:  # the columns every variant has
        all_cols = [pydantic_to_table_schema_columns(v) for v in variants]
        common = set.intersection(*(set(c) for c in all_cols))
        return {k: v for k, v in all_cols[0].items() if k in common}
    cfg = getattr(model, "dlt_config", None) or {}
    if "skip_complex_types" in cfg:
        warnings.warn("`skip_complex_types` is deprecated, use `skip_nested_types` instead.", DeprecationWarning,
                      stacklevel=2)
        skip_nested = bool(cfg["skip_complex_types"])
    else:
        skip_nested = bool(cfg.get("skip_nested_types", False))
    model_cls = model if isinstance(model, type) else type(model)
    result: Dict[str, Dict[str, Any]] = {}
    for field_name, field in model_cls.model_fields.items():
        annotation = getattr(field.annotation, "inner_type", None) or field.annotation  # Json[T]: T
        nullable = _is_optional(annotation)
        inner = _inner_type(annotation)
        if _is_union(inner):
            inner = _inner_type(get_args(inner)[0])
        if inner is Json or inner is Any:
            continue  # inferred from the data
        if _origin_is(inner, list):
            inner = list
        elif _origin_is(inner, dict):
            inner = dict
        name = field.alias or field_name
        nested_model = False
        try:
            data_type = _data_type(inner)
        except TypeError:
            nested_model = _is_model(inner)
            data_type = "json" if nested_model else "text"
        if nested_model and skip_nested:
            for sub_name, hints in pydantic_to_table_schema_columns(inner).items():
                key = f"{name}__{sub_name}"
                result[key] = {**hints, "name": f"{name}__{hints['name']}", "nullable": hints["nullable"] or nullable}
        elif data_type == "json" and skip_nested:
            continue
        else:
            result[name] = {"name": name, "data_type": data_type, "nullable": nullable}
    return result


def column_mode_to_extra(column_mode: str) -> str:
    return {"evolve": "allow", "discard_value": "ignore"}.get(column_mode, "forbid")


def extra_to_column_mode(extra: str) -> str:
    return {"forbid": "freeze", "allow": "evolve"}.get(extra, "discard_value")


def get_extra_from_model(model: Type[BaseModel]) -> Optional[str]:
    return model.model_config.get("extra")


def apply_schema_contract_to_model(model: Type[BaseModel], column_mode: str, data_mode: str = "freeze",
                                   _child_models: Optional[Dict[int, Any]] = None) -> Type[BaseModel]:
    """`model` made to act on the contract: unknown fields kept (`evolve`), dropped
    (`discard_value`) or refused (`freeze`, `discard_row`); with data_mode `evolve` any value is
    accepted for a known field. Nested models are rebuilt the same way."""
    if getattr(model, "__pydantic_root_model__", False):
        raise NotImplementedError(f"model `{model.__name__}`: a RootModel as `columns` is not supported by dlt-cpp "
                                  "(dlt dispatches its discriminated union to tables of its own); use a BaseModel")
    cfg = getattr(model, "dlt_config", None)
    if data_mode == "evolve":
        model = create_model(model.__name__ + "Any", **{n: (Any, None) for n in model.model_fields})
    elif data_mode == "discard_value":
        raise NotImplementedError("`data_mode='discard_value'`. Cannot discard defined fields with validation errors"
                                  " using Pydantic models.")
    extra = column_mode_to_extra(column_mode)
    if extra == (get_extra_from_model(model) or "ignore"):
        if cfg:
            model.dlt_config = cfg  # type: ignore[attr-defined]
        return model
    children = {} if _child_models is None else _child_models

    def rebuilt(t: Any) -> Any:
        origin = get_origin(t)
        if origin is Annotated:
            inner, *meta = get_args(t)
            return Annotated[(rebuilt(inner), *meta)]  # type: ignore[misc]
        args = get_args(t)
        if origin is tuple and args:
            if len(args) == 2 and args[1] is Ellipsis:
                return tuple[rebuilt(args[0]), ...]  # type: ignore[misc]
            return tuple[tuple(rebuilt(a) for a in args)]  # type: ignore[misc]
        if args and (_origin_is(t, list) or _origin_is(t, set)):
            return origin[rebuilt(args[0])]
        if args and _origin_is(t, dict):
            return origin[args[0], rebuilt(args[1])]
        if _is_union(t):
            return Union[tuple(rebuilt(a) for a in args)]  # type: ignore[return-value]
        if _is_model(t):
            if id(t) not in children:
                children[id(t)] = apply_schema_contract_to_model(t, column_mode, data_mode, children)
            return children[id(t)]
        return t

    fields = {n: (rebuilt(f.rebuild_annotation() if hasattr(f, "rebuild_annotation") else f.annotation), f)
              for n, f in model.model_fields.items()}
    new_model = create_model(model.__name__ + "Extra" + extra.title(), __base__=model, **fields)
    new_model.model_config = {**model.model_config, "extra": extra}  # type: ignore[typeddict-item]
    new_model.model_rebuild(force=True)
    if cfg:
        new_model.dlt_config = cfg  # type: ignore[attr-defined]
    return new_model


def create_list_model(model: Type[BaseModel], column_mode: str = "freeze", data_mode: str = "freeze") -> Any:
    """A model of `{"items": [model, ...]}` validating a page at once; with `discard_row` an item
    that does not validate becomes None (and is dropped by the caller)."""
    if "discard_row" in (column_mode, data_mode):
        from pydantic.functional_validators import WrapValidator

        def lenient(value: Any, handler: Any) -> Any:
            try:
                return handler(value)
            except ValidationError as err:
                if any(e["type"] == "model_type" for e in err.errors()):
                    raise  # not a mapping: cannot be discarded
                return None
            except Exception:
                return None

        item_type = Annotated[Optional[model], WrapValidator(lenient)]  # type: ignore[valid-type]
        return create_model("LenientList" + model.__name__, items=(List[item_type], ...))  # type: ignore[valid-type]
    return create_model("List" + model.__name__, items=(List[model], ...))  # type: ignore[valid-type]


def _classify(table_name: str, model: Any, item: Any, exc: ValidationError, column_mode: str, data_mode: str) -> None:
    """Raises DataValidationError for what a frozen contract refuses; returns for discard_row."""
    for err in exc.errors():
        if err["type"] == "model_type":
            raise exc
        entity, mode = ("columns", column_mode) if err["type"] == "extra_forbidden" else ("data_type", data_mode)
        if mode == "freeze":
            raise DataValidationError(None, table_name, str(err["loc"]), entity, "freeze", model, {entity: "freeze"},
                                      item, err["msg"]) from exc
        if mode == "discard_row":
            return
        raise NotImplementedError(f"`{entity}` contract `{mode}` is not implemented for Pydantic validation")


def validate_and_filter_items(table_name: str, list_model: Any, items: List[Any], column_mode: str,
                              data_mode: str) -> List[BaseModel]:
    """The items of a page as model instances (the discarded rows left out)."""
    if "discard_row" in (column_mode, data_mode):
        return [m for m in list_model(items=items).items if m is not None]
    try:
        return list_model(items=items).items
    except ValidationError as e:
        for err in e.errors():
            if err["type"] == "model_type" or len(err["loc"]) < 2:
                raise
            _classify(table_name, list_model, items[int(err["loc"][1])], e, column_mode, data_mode)
        raise


def validate_and_filter_item(table_name: str, model: Type[BaseModel], item: Any, column_mode: str,
                             data_mode: str) -> Optional[BaseModel]:
    """`item` as a model instance; None when discard_row drops it."""
    try:
        return model.model_validate(item)
    except ValidationError as e:
        _classify(table_name, model, item, e, column_mode, data_mode)
        return None
