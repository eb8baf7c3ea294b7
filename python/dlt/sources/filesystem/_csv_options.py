"""How read_csv's pandas options and read_csv_duckdb's DuckDB options become the engine's CSV
options (include/dlt/resource.h CsvOptions): the delimiter, the header and the rest as the keyword
arguments of the native FileReader's set_csv."""

from typing import Any, Dict, List, Optional, Tuple

# pandas' dtypes (read_csv's dtype=) and DuckDB's type names (read_csv_duckdb's types=) as the dlt
# data types the engine reads CSV columns as.
_CSV_TYPES = {"str": "text", "string": "text", "object": "text", "varchar": "text", "text": "text",
              "int": "bigint", "int64": "bigint", "int32": "bigint", "int16": "bigint", "int8": "bigint",
              "bigint": "bigint", "integer": "bigint", "smallint": "bigint",
              "float": "double", "float64": "double", "float32": "double", "double": "double", "real": "double",
              "bool": "bool", "boolean": "bool", "date": "date", "timestamp": "timestamp",
              "timestamptz": "timestamp", "timestamp with time zone": "timestamp", "decimal": "decimal"}


def _csv_type(t: Any, option: str) -> str:
    name = t.__name__ if isinstance(t, type) else str(t)
    key = name.lower().split("(")[0].strip()
    if key not in _CSV_TYPES:
        raise ValueError(f"{option}: the type `{name}` is not one dlt-cpp reads CSV columns as "
                         "(str, int, float, bool, date, timestamp, decimal)")
    if _CSV_TYPES[key] == "decimal" and "(" in name:
        # DECIMAL(p,s) keeps its precision and scale (checked by the engine)
        return "decimal(" + name.split("(", 1)[1].replace(" ", "").lower()
    return _CSV_TYPES[key]


def _csv_column_types(types: Any, option: str) -> Dict[str, Any]:
    """dtype=str (every column text) or {column: type} as CsvOptions' all_text / types."""
    if isinstance(types, dict):
        return {"types": [(str(k), _csv_type(v, option)) for k, v in types.items()]}
    if _csv_type(types, option) != "text":
        raise NotImplementedError(f"{option}: one type for every column is supported only as str (text); "
                                  "give the other types per column ({'column': type})")
    return {"all_text": True}


def _strings(v: Any, option: str, reader: str = "read_csv") -> List[str]:
    if isinstance(v, str):
        return [v]
    if isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v):
        return list(v)
    raise NotImplementedError(f"{reader}: `{option}` is supported as a list of column names or values, got {v!r}")


# pandas.read_csv options that only tune how pandas works: accepted and not needed here.
_PANDAS_TUNING = ("low_memory", "engine", "memory_map", "float_precision", "cache_dates", "iterator")


def pandas_csv_options(pandas_kwargs: Dict[str, Any]) -> Tuple[Optional[str], Optional[bool], Dict[str, Any]]:
    """(delimiter, header, other options) of read_csv's pandas options; NotImplementedError names
    the ones not supported, ValueError a value not allowed."""
    kw = dict(pandas_kwargs)
    delimiter = kw.pop("sep", None) or kw.pop("delimiter", None)
    csv: Dict[str, Any] = {}
    header: Optional[bool] = None
    skip = 0
    if "header" in kw:
        h = kw.pop("header")
        if h == "infer":
            header = None
        elif h is None:
            header = False
        elif isinstance(h, int) and not isinstance(h, bool) and h >= 0:
            header, skip = True, h  # the header is row h: the rows before it are skipped
        else:
            raise NotImplementedError(f"read_csv: header={h!r} is not supported (0, a row number or None are)")
    if kw.get("names") is not None:
        csv["names"] = _strings(kw.pop("names"), "names")
        if header is None:
            header = False  # as pandas: names given without a header means the file has none
    kw.pop("names", None)
    skiprows = kw.pop("skiprows", None)
    if skiprows is not None:
        if not isinstance(skiprows, int) or isinstance(skiprows, bool) or skiprows < 0:
            raise NotImplementedError(f"read_csv: skiprows={skiprows!r} is not supported (a number of rows is)")
        skip += skiprows
    if skip:
        csv["skip_rows"] = skip
    if kw.get("usecols") is not None:
        csv["columns"] = list(dict.fromkeys(_strings(kw.pop("usecols"), "usecols")))  # pandas: a set
        csv["columns_in_file_order"] = True  # as pandas: the file's order, not the list's
    kw.pop("usecols", None)
    if kw.get("encoding") is not None:
        csv["encoding"] = str(kw.pop("encoding"))
    kw.pop("encoding", None)
    if kw.get("na_values") is not None:
        csv["null_values"] = _strings(kw.pop("na_values"), "na_values")
    kw.pop("na_values", None)
    if kw.get("dtype") is not None:
        csv.update(_csv_column_types(kw.pop("dtype"), "read_csv dtype"))
    kw.pop("dtype", None)
    parse_dates = kw.pop("parse_dates", None)
    if isinstance(parse_dates, (list, tuple)) and all(isinstance(c, str) for c in parse_dates):
        # columns read as timestamps (an offset moved to UTC), unless dtype named their type
        types = csv.setdefault("types", [])
        typed = {name for name, _ in types}
        types.extend((c, "timestamp") for c in parse_dates if c not in typed)
    elif parse_dates not in (None, False, True):  # True: the index's, which read_csv has none of
        raise NotImplementedError(f"read_csv: parse_dates={parse_dates!r} is not supported (a list of column names is)")
    if kw.get("quotechar") is not None:
        csv["quote"] = str(kw.pop("quotechar"))
    kw.pop("quotechar", None)
    for k in _PANDAS_TUNING:
        kw.pop(k, None)
    if kw:
        raise NotImplementedError(f"read_csv: options {sorted(kw)} are not supported by dlt-cpp (sep, delimiter, "
                                  "header, names, usecols, skiprows, encoding, na_values, dtype, parse_dates and quotechar are)")
    return delimiter, header, csv


def duckdb_csv_options(duckdb_kwargs: Dict[str, Any]) -> Tuple[Optional[str], Any, Dict[str, Any]]:
    """(delimiter, header, other options) of read_csv_duckdb's DuckDB read_csv options."""
    kw = dict(duckdb_kwargs)
    delimiter = kw.pop("delim", None) or kw.pop("sep", None)
    header = kw.pop("header", None)
    csv: Dict[str, Any] = {}
    if kw.get("quote") is not None:
        csv["quote"] = str(kw.pop("quote"))
    if kw.get("encoding") is not None:
        csv["encoding"] = str(kw.pop("encoding"))
    if kw.get("skip"):
        csv["skip_rows"] = int(kw.pop("skip"))
    names = kw.pop("names", None) or kw.pop("column_names", None)
    if names is not None:
        csv["names"] = _strings(names, "names", "read_csv_duckdb")
    if kw.get("nullstr") is not None:
        csv["null_values"] = _strings(kw.pop("nullstr"), "nullstr", "read_csv_duckdb")
    types = kw.pop("types", None) or kw.pop("dtypes", None)
    if types is not None:
        if not isinstance(types, dict):
            raise NotImplementedError("read_csv_duckdb: `types` is supported as {column: type}")
        csv.update(_csv_column_types(types, "read_csv_duckdb types"))
    if kw.pop("all_varchar", False):
        csv["all_text"] = True
    for k in ("quote", "encoding", "skip", "nullstr"):
        kw.pop(k, None)
    if kw:
        raise NotImplementedError(f"read_csv_duckdb: options {sorted(kw)} are not supported by dlt-cpp")
    return delimiter, header, csv
