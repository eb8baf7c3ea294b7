"""A resource's item validator, made from a Pydantic model given as its `columns`, as dlt makes it:
the model's `extra` setting (or the resource's schema contract) decides what happens to unknown
fields, and a value that does not fit its field fails the extract with dlt's
DataValidationError (the cause of a ResourceExtractionError of kind `transform`) unless the
contract says `discard_row` or `evolve`. Items go on as dicts (the model's `model_dump(by_alias=True)`)
unless the model's `dlt_config` sets `return_validated_models`.

The validator runs after the resource's maps and filters and before its incremental and limit,
where dlt's placement affinity puts it.
"""

from typing import Any, Dict, Iterator, Optional, Tuple

from dlt.extract.items import rewrap, unwrap


def is_pydantic_model(columns: Any) -> bool:
    """True for a Pydantic model class (found without importing pydantic)."""
    return isinstance(columns, type) and any(c.__name__ == "BaseModel" and c.__module__ == "pydantic.main"
                                             for c in columns.__mro__)


def _item_format(item: Any) -> str:
    module = type(item).__module__ or ""
    return "arrow" if module.startswith("pyarrow") else "pandas" if module.startswith("pandas") else "object"


def _expand_contract(contract: Any, default: Dict[str, str]) -> Dict[str, str]:
    if contract is None:
        return dict(default)
    if isinstance(contract, str):
        return {k: contract for k in default}
    return {**default, **contract}


class PydanticValidator:
    """Validates the items of a resource against `model` with `column_mode` for unknown fields
    and `data_mode` for values that do not fit."""

    def __init__(self, model: Any, column_mode: str, data_mode: str) -> None:
        from dlt.common.libs.pydantic import apply_schema_contract_to_model, create_list_model

        self.column_mode = column_mode
        self.data_mode = data_mode
        self.original_model = model
        self.model = apply_schema_contract_to_model(model, column_mode, data_mode)
        self.list_model = create_list_model(self.model, column_mode, data_mode)
        self.table_name = ""

    def __call__(self, item: Any, meta: Any = None) -> Any:
        from dlt.common.libs.pydantic import ValidationError, validate_and_filter_item, validate_and_filter_items
        from dlt.common.schema.exceptions import DataValidationError

        if item is None:
            return None
        return_models = self.returns_models
        if isinstance(item, list):
            rows = validate_and_filter_items(self.table_name, self.list_model, item, self.column_mode, self.data_mode)
            return rows if return_models else [m.model_dump(by_alias=True) for m in rows]
        try:
            validated = validate_and_filter_item(self.table_name, self.model, item, self.column_mode, self.data_mode)
        except (ValidationError, DataValidationError):
            if _item_format(item) != "object":
                return item  # Arrow tables and data frames pass as they are
            raise
        if validated is None:
            return None
        return validated if return_models else validated.model_dump(by_alias=True)

    @property
    def returns_models(self) -> bool:
        return bool((getattr(self.model, "dlt_config", None) or {}).get("return_validated_models", False))

    def items(self, items: Any, pipe_name: str) -> Iterator[Any]:
        """The step over a resource's items: each validated (marks kept); a failure raises
        ResourceExtractionError naming the resource, as dlt's pipe does for a step."""
        from dlt.extract.exceptions import DltSourceException, ExtractorException, PipeException, \
            ResourceExtractionError
        from dlt.common.exceptions import PipelineException

        self.table_name = pipe_name
        for item in items:
            meta, data = unwrap(item)
            try:
                out = self(data, meta)
            except (PipelineException, ExtractorException, DltSourceException, PipeException):
                raise
            except Exception as ex:
                raise ResourceExtractionError(pipe_name, self, str(ex), "transform") from ex
            if out is not None:
                yield rewrap(meta, out)

    def __str__(self) -> str:
        return f"PydanticValidator(model={self.model.__qualname__})"


def _is_model_instance(item: Any) -> bool:
    return hasattr(type(item), "model_fields") and hasattr(item, "model_dump")


def may_yield_models(resource: Any) -> bool:
    """True when a validator of the resource (or of a resource it reads) returns model instances
    (`dlt_config = {"return_validated_models": True}`): only then does models_as_rows look at the
    items going to the engine."""
    r = resource
    while r is not None:
        v = getattr(r, "_validator", None)
        if v is not None and v.returns_models:
            return True
        r = getattr(r, "_parent", None) or getattr(getattr(r, "_tee", None), "resource", None)
    return False


def models_as_rows(items: Any) -> Iterator[Any]:
    """What goes to the engine: a Pydantic model instance (a row, or the rows of a page) as the
    dict dlt serializes it to (`model_dump()`), so its fields become columns, as in dlt."""
    for item in items:
        t = type(item)
        if t is dict:
            yield item
            continue
        meta, data = unwrap(item)
        if isinstance(data, list):
            if data and type(data[0]) is not dict and _is_model_instance(data[0]):
                item = rewrap(meta, [d.model_dump() if _is_model_instance(d) else d for d in data])
        elif _is_model_instance(data):
            item = rewrap(meta, data.model_dump())
        yield item


def create_item_validator(columns: Any, schema_contract: Any = None) -> Tuple[Optional[PydanticValidator], Any]:
    """(validator, schema contract) for `columns`: a validator when `columns` is a Pydantic model,
    with the resource's contract defaulted as dlt defaults it (new tables evolve, unknown fields
    follow the model's `extra` - ignored unless set - and values that do not fit are refused)."""
    if not is_pydantic_model(columns):
        return None, schema_contract
    if callable(schema_contract):
        raise ValueError("schema_contract cannot be a function of the item when `columns` is a Pydantic model")
    from dlt.common.libs.pydantic import extra_to_column_mode, get_extra_from_model

    model_column_mode = extra_to_column_mode(get_extra_from_model(columns) or "ignore")
    expanded = _expand_contract(schema_contract, {"tables": "evolve", "columns": model_column_mode,
                                                  "data_type": "freeze"})
    validator = PydanticValidator(columns, expanded["columns"], expanded["data_type"])
    return validator, schema_contract or expanded
