"""dlt's typed JSON: values JSON cannot type are strings with a private-use marker
(U+F026 Decimal, U+F027 datetime, U+F028 date, U+F02B base64 bytes, U+F02D time).
Rows are written by the engine (dlt._native); this module reads state and small values."""

import base64
import json
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
