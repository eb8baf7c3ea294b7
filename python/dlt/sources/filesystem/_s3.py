"""s3:// buckets for dlt.sources.filesystem: the listing (with each object's size and time) and
the reads go through the engine's signed S3 client (the filesystem destination's). The readers
(read_csv, read_parquet, read_jsonl) get local copies of the listed objects, made in a private
temporary folder and removed at the next listing of the same reader and when the process ends.
Credentials come from `credentials=` or, as dlt resolves them, from
`sources.filesystem.credentials.*` of the active profile; the secret key is in no message or repr."""

import atexit
import os
import shutil
import tempfile
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlparse

_FIELDS = ("aws_access_key_id", "aws_secret_access_key", "region_name", "endpoint_url")


def is_s3(url: str) -> bool:
    return urlparse(url).scheme in ("s3", "s3a")


def split_url(url: str) -> Tuple[str, str]:
    """(bucket, key prefix without leading or trailing /) of s3://bucket/prefix."""
    parsed = urlparse(url)
    if not parsed.netloc:
        raise ValueError(f"bucket_url `{url}`: an s3 URL names its bucket: s3://bucket/prefix")
    return parsed.netloc, parsed.path.strip("/")


def _field(credentials: Any, name: str) -> Optional[str]:
    if credentials is None:
        return None
    if isinstance(credentials, dict):
        v = credentials.get(name)
    else:
        v = getattr(credentials, name, None)
    return None if v is None else str(v)


def resolve_credentials(credentials: Any) -> Dict[str, Optional[str]]:
    """The four S3 settings from `credentials` (a dict or an object with dlt's AwsCredentials
    field names), each missing one from the profile as dlt looks it up."""
    from dlt.common.configuration.accessors import secrets

    out: Dict[str, Optional[str]] = {}
    for name in _FIELDS:
        v = _field(credentials, name)
        if v is None:
            v = secrets.get(f"sources.filesystem.credentials.{name}")
        out[name] = None if v is None else str(v)
    return out


def open_bucket(bucket_url: str, credentials: Any) -> Tuple[Any, str]:
    """(native S3Bucket, key prefix) for `bucket_url`."""
    from dlt._engine import native

    bucket, prefix = split_url(bucket_url)
    c = resolve_credentials(credentials)
    if not c["aws_access_key_id"] or not c["aws_secret_access_key"]:
        from dlt.common.configuration.exceptions import ConfigFieldMissingException, LookupTrace

        missing = [n for n in ("aws_access_key_id", "aws_secret_access_key") if not c[n]]
        traces = {n: [LookupTrace("Environment Variables", [], f"SOURCES__FILESYSTEM__CREDENTIALS__{n.upper()}"),
                      LookupTrace("secrets.toml", [], f"sources.filesystem.credentials.{n}")] for n in missing}
        raise ConfigFieldMissingException("FilesystemConfiguration", traces)
    return native.S3Bucket(bucket, c["aws_access_key_id"], c["aws_secret_access_key"], c["region_name"] or "",
                           c["endpoint_url"] or ""), prefix


def _time(text: str) -> datetime:
    """S3's LastModified (2024-05-01T10:00:00.000Z) as an aware datetime."""
    t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def list_objects(bucket_url: str, credentials: Any) -> List[Tuple[str, str, int, datetime, Any]]:
    """(relative path, key, size, modification time, bucket) of every object under bucket_url."""
    bucket, prefix = open_bucket(bucket_url, credentials)
    listing_prefix = prefix + "/" if prefix else ""
    out = []
    for key, size, modified in bucket.list(listing_prefix):
        rel = key[len(listing_prefix):]
        if not rel or rel.endswith("/"):
            continue  # folder markers
        out.append((rel, key, int(size), _time(modified), bucket))
    return out


_copies: List[str] = []


def _remove_copies() -> None:
    for d in _copies:
        shutil.rmtree(d, ignore_errors=True)
    _copies.clear()


atexit.register(_remove_copies)


def local_copies(items: List[Any], previous: Optional[str]) -> Tuple[List[str], Optional[str]]:
    """Local copies of the listed s3 items (FileItemDicts) in a new private folder, which replaces
    `previous` (removed); local items keep their own paths. Returns (paths, the folder)."""
    if previous:
        shutil.rmtree(previous, ignore_errors=True)
        if previous in _copies:
            _copies.remove(previous)
    folder: Optional[str] = None
    paths = []
    for i, item in enumerate(items):
        bucket = getattr(item, "_s3", None)
        if bucket is None:
            paths.append(item.local_file_path)
            continue
        if folder is None:
            folder = tempfile.mkdtemp(prefix="dlt-s3-")
            os.chmod(folder, 0o700)
            _copies.append(folder)
        # The object's own name (its extension tells the reader a gzip file) in a folder per item.
        sub = os.path.join(folder, str(i))
        os.mkdir(sub)
        path = os.path.join(sub, item["file_name"])
        bucket[0].download(bucket[1], path, item.get("size_in_bytes"))
        paths.append(path)
    return paths, folder
