"""dlt's typed JSON: values JSON cannot type are strings with a private-use marker
(U+F026 Decimal, U+F027 datetime, U+F028 date, U+F02B base64 bytes, U+F02D time).
Rows are written by the engine (dlt._native); this module reads state and small values."""

import base64
import json
import json as _stdlib_json
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any

from dlt._engine import native

_DECIMAL, _DATETIME, _DATE, _UUID, _HEXBYTES, _B64BYTES, _WEI, _TIME = (chr(0xF026 + i) for i in range(8))


def _decode_str(s: str) -> Any:
    if not s:
        return s
    c = s[0]
    if c < _DECIMAL or c > _TIME:
        return s
    body = s[1:]
    if c == _DECIMAL or c == _WEI:
        return Decimal(body)
    if c == _DATETIME:
        v = datetime.fromisoformat(body.replace("Z", "+00:00"))
        return v
    if c == _DATE:
        return date.fromisoformat(body)
    if c == _TIME:
        return time.fromisoformat(body)
    if c == _B64BYTES:
        return base64.b64decode(body)
    if c == _HEXBYTES:
        return bytes.fromhex(body[2:] if body.startswith("0x") else body)
    return body


def pua_decode(obj: Any) -> Any:
    """Marked strings -> Python values, recursively."""
    if isinstance(obj, str):
        return _decode_str(obj)
    if isinstance(obj, dict):
        return {k: pua_decode(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [pua_decode(v) for v in obj]
    return obj


def typed_loads(text: str) -> Any:
    return pua_decode(json.loads(text))


def typed_dumps(obj: Any) -> str:
    """One value as typed JSON (the engine's serializer: datetimes, Decimals... marked)."""
    return native.typed_json(obj)


json_loads = json.loads


# --- dlt's `json` object (`from dlt.common import json`; `from dlt.common.json import json`) --------

def custom_encode(obj: Any) -> Any:
    """What dlt's JSON encoder writes for values JSON has no type for: Decimal as a string (never a
    float), datetime/date/time in ISO form, UUID as text, bytes as base64, namedtuples,
    dataclasses and objects with asdict() as dicts, Enum as its value."""
    import dataclasses
    from enum import Enum
    from uuid import UUID

    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, (datetime, date, time)):
        return obj.isoformat()
    if isinstance(obj, UUID):
        return str(obj)
    if isinstance(obj, (bytes, bytearray)):
        return base64.b64encode(bytes(obj)).decode("ascii")
    if hasattr(obj, "asdict"):
        return obj.asdict()
    if hasattr(obj, "_asdict"):
        return obj._asdict()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if isinstance(obj, Enum):
        return obj.value
    raise TypeError(f"`{obj!r}` is not JSON serializable")


def dumps(obj: Any, sort_keys: bool = False, pretty: bool = False) -> str:
    return _stdlib_json.dumps(obj, default=custom_encode, sort_keys=sort_keys, indent=2 if pretty else None,
                      separators=None if pretty else (",", ":"), ensure_ascii=False)


def dumpb(obj: Any, sort_keys: bool = False, pretty: bool = False) -> bytes:
    return dumps(obj, sort_keys, pretty).encode("utf-8")


def dump(obj: Any, fp: Any, sort_keys: bool = False, pretty: bool = False) -> None:
    text = dumps(obj, sort_keys, pretty)
    fp.write(text.encode("utf-8") if "b" in getattr(fp, "mode", "") else text)


def loads(s: Any) -> Any:
    return _stdlib_json.loads(s)


def loadb(s: Any) -> Any:
    return _stdlib_json.loads(bytes(s).decode("utf-8"))


def load(fp: Any) -> Any:
    return _stdlib_json.loads(fp.read())


def typed_dumpb(obj: Any, sort_keys: bool = False, pretty: bool = False) -> bytes:
    return typed_dumps(obj).encode("utf-8")


def typed_loadb(s: Any) -> Any:
    return typed_loads(bytes(s).decode("utf-8"))


class _DltJson:
    """dlt's SupportsJson: the functions above as one object."""

    custom_encode = staticmethod(custom_encode)
    dumps = staticmethod(dumps)
    dumpb = staticmethod(dumpb)
    dump = staticmethod(dump)
    loads = staticmethod(loads)
    loadb = staticmethod(loadb)
    load = staticmethod(load)
    typed_dumps = staticmethod(typed_dumps)
    typed_loads = staticmethod(typed_loads)
    typed_dumpb = staticmethod(typed_dumpb)
    typed_loadb = staticmethod(typed_loadb)


json = _DltJson()  # noqa: F811  (the stdlib module stays reachable as _stdlib_json)
