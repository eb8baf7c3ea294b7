"""dlt.common.utils: the helpers of dlt's that sources import (ids, digests, chunks, nested dicts)."""

import base64
import hashlib
import secrets
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, TypeVar

T = TypeVar("T")


def uniq_id(len_: int = 16) -> str:
    """A random id: `len_` random bytes as hex (twice as many characters)."""
    return secrets.token_hex(len_)


def uniq_id_base64(len_: int = 16) -> str:
    """A random id: `len_` random bytes in base64, without padding (dlt's _dlt_id takes 10)."""
    return base64.b64encode(secrets.token_bytes(len_)).decode("ascii").rstrip("=")


def many_uniq_ids_base64(n_ids: int, len_: int = 16) -> List[str]:
    data = secrets.token_bytes(n_ids * len_)
    return [base64.b64encode(data[i:i + len_]).decode("ascii").rstrip("=") for i in range(0, n_ids * len_, len_)]


def digest128(v: str, len_: int = 15) -> str:
    """`len_` bytes of SHAKE-128 of `v` in base64 without padding (dlt's row and table hashes)."""
    return digest128b(v.encode("utf-8"), len_)


def digest128b(v: bytes, len_: int = 15) -> str:
    return base64.b64encode(hashlib.shake_128(v).digest(len_)).decode("ascii").rstrip("=")


def digest256(v: str) -> str:
    """SHA3-256 of `v` in base64 (with padding)."""
    return base64.b64encode(hashlib.sha3_256(v.encode("utf-8")).digest()).decode("ascii")


def chunks(iterable: Iterable[T], n: int) -> Iterator[Sequence[T]]:
    """Lists of `n` items of `iterable` (the last one shorter)."""
    chunk: List[T] = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == n:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def str2bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if str(v).lower() in ("yes", "true", "t", "y", "1"):
        return True
    if str(v).lower() in ("no", "false", "f", "n", "0"):
        return False
    raise ValueError(f"`{v}` is not a boolean: use one of yes, true, t, y, 1, no, false, f, n, 0")


def flatten_list_or_items(items: Iterable[Any]) -> Iterator[Any]:
    """The items of `items`, lists among them expanded."""
    for item in items:
        if isinstance(item, list):
            yield from item
        else:
            yield item


def update_dict_nested(dst: Dict[Any, Any], src: Dict[Any, Any], copy_src_dicts: bool = False) -> Dict[Any, Any]:
    """Merges `src` into `dst` in place, recursing into dicts on both sides; returns `dst`."""
    import copy

    for key, value in src.items():
        if key in dst and isinstance(dst[key], dict) and isinstance(value, dict):
            update_dict_nested(dst[key], value, copy_src_dicts)
        else:
            dst[key] = copy.deepcopy(value) if copy_src_dicts and isinstance(value, dict) else value
    return dst


def without_none(d: Dict[Any, Any]) -> Dict[Any, Any]:
    return {k: v for k, v in d.items() if v is not None}


def identity(x: T) -> T:
    return x


def get_callable_name(f: Any, name_attr: str = "__name__") -> Optional[str]:
    name = getattr(f, name_attr, None)
    if name is None and hasattr(f, "func"):  # functools.partial
        return get_callable_name(f.func, name_attr)
    return name
