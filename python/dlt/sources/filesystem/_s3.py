"""s3:// buckets for dlt.sources.filesystem: the listing (with each object's size and time) and
the reads go through the engine's signed S3 client (the filesystem destination's). The readers
(read_csv, read_parquet, read_jsonl) get local copies of the listed objects, made in a private
temporary folder and removed at the next listing of the same reader and when the process ends.
Credentials come from `credentials=` or, as dlt resolves them, from
`sources.filesystem.credentials.*` of the active profile; the secret key is in no message or repr."""

import atexit
import fcntl
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


def list_objects(bucket_url: str, credentials: Any, exact: bool = False) -> List[Tuple[str, str, int, datetime, Any]]:
    """(relative path, key, size, modification time, bucket) of every object under bucket_url;
    with `exact`, of the object bucket_url names itself (relative path `.`, as dlt gives it)."""
    bucket, prefix = open_bucket(bucket_url, credentials)
    if exact:
        return [(".", key, int(size), _time(modified), bucket) for key, size, modified in bucket.list(prefix)
                if prefix and key == prefix]
    listing_prefix = prefix + "/" if prefix else ""
    out = []
    for key, size, modified in bucket.list(listing_prefix):
        rel = key[len(listing_prefix):]
        if not rel or rel.endswith("/"):
            continue  # folder markers
        out.append((rel, key, int(size), _time(modified), bucket))
    return out


_copies: Dict[str, int] = {}  # folder -> its locked owner file
_COPY_PREFIX = "dlt-s3-"


def _remove_abandoned(parent: str) -> None:
    """Removes the copy folders of processes that are gone. Each folder holds an `.owner` file
    that its process keeps locked while it lives (as the engine's own temporary folders do): a
    process killed before its exit hook ran leaves an unlocked one behind."""
    try:
        names = os.listdir(parent)
    except OSError:
        return
    for name in names:
        path = os.path.join(parent, name)
        if not name.startswith(_COPY_PREFIX) or os.path.islink(path) or not os.path.isdir(path):
            continue
        try:
            if os.stat(path).st_uid != os.geteuid():
                continue
            fd = os.open(os.path.join(path, ".owner"), os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue  # not a folder of ours, or not finished being made
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # its process is alive
        shutil.rmtree(path, ignore_errors=True)
        os.close(fd)


def _make_copy_folder() -> str:
    parent = tempfile.gettempdir()
    _remove_abandoned(parent)
    folder = tempfile.mkdtemp(prefix=_COPY_PREFIX, dir=parent)
    os.chmod(folder, 0o700)
    # Locked under another name first, so that no sweeper sees an owner file not locked yet.
    pending = os.path.join(folder, ".owner.new")
    fd = os.open(pending, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.rename(pending, os.path.join(folder, ".owner"))
    _copies[folder] = fd
    return folder


def _remove_copy(folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    fd = _copies.pop(folder, None)
    if fd is not None:
        os.close(fd)


def _remove_copies() -> None:
    for d in list(_copies):
        _remove_copy(d)


atexit.register(_remove_copies)


def local_copies(items: List[Any], previous: Optional[str]) -> Tuple[List[str], Optional[str]]:
    """Local copies of the listed s3 items (FileItemDicts) in a new private folder, which replaces
    `previous` (removed); local items keep their own paths. Returns (paths, the folder)."""
    if previous:
        _remove_copy(previous)
    folder: Optional[str] = None
    paths = []
    for i, item in enumerate(items):
        bucket = getattr(item, "_s3", None)
        if bucket is None:
            paths.append(item.local_file_path)
            continue
        if folder is None:
            folder = _make_copy_folder()
        # The object's own name (its extension tells the reader a gzip file) in a folder per item.
        sub = os.path.join(folder, str(i))
        os.mkdir(sub)
        path = os.path.join(sub, item["file_name"])
        bucket[0].download(bucket[1], path, item.get("size_in_bytes"))
        paths.append(path)
    return paths, folder
