"""The in-tree PEP 517 build backend of the `dlt-cpp` distribution (pyproject.toml).

`pip install --no-build-isolation .` works offline with nothing but pip: no setuptools, wheel
or scikit-build. The engine is built with CMake (the project's own build): in $DLT_CPP_BUILD_DIR,
else in ./build when it is a build of this checkout, else in ./build/pip. The wheel holds
python/dlt/ as built (pure Python files + dlt/_native*.so) and DuckDB as dlt/_lib/libduckdb.so.
"""

import base64
import csv
import hashlib
import io
import os
import re
import subprocess
import sys
import sysconfig
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NAME = "dlt_cpp"


def _version():
    with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
        m = re.search(r"project\(dlt_cpp VERSION ([0-9.]+)", f.read())
    return m.group(1) if m else "0.0.0"


def _build_dir():
    env = os.environ.get("DLT_CPP_BUILD_DIR")
    if env:
        return os.path.abspath(env)
    default = os.path.join(ROOT, "build")
    cache = os.path.join(default, "CMakeCache.txt")
    if os.path.exists(cache):
        with open(cache) as f:
            if f"CMAKE_HOME_DIRECTORY:INTERNAL={ROOT}\n" in f.read():
                return default
    return os.path.join(ROOT, "build", "pip")


def _build():
    build = _build_dir()
    if not os.path.exists(os.path.join(build, "CMakeCache.txt")):
        subprocess.check_call(["cmake", "-S", ROOT, "-B", build, "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                               f"-DPython3_EXECUTABLE={sys.executable}"], stdout=sys.stderr)
    jobs = os.environ.get("JOBS", "2")
    subprocess.check_call(["cmake", "--build", build, "-j", jobs, "--target", "dlt_native"], stdout=sys.stderr)
    return build


def _tag():
    impl = f"cp{sys.version_info.major}{sys.version_info.minor}"
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return impl, impl, plat


def _metadata():
    return (f"Metadata-Version: 2.1\nName: dlt-cpp\nVersion: {_version()}\n"
            "Summary: dlt's Python API on a native C++ engine (workspaces and profiles)\n"
            "Requires-Python: >=3.11\n")


def _duckdb_library(build):
    with open(os.path.join(build, "CMakeCache.txt")) as f:
        m = re.search(r"^DUCKDB_DIR:PATH=(.*)$", f.read(), re.M)
    path = os.path.join(m.group(1) if m else os.path.join(ROOT, "third_party", "duckdb"), "lib", "libduckdb.so")
    if not os.path.exists(path):
        raise RuntimeError(f"{path} not found: run scripts/bootstrap.sh first")
    return path


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return [arcname, f"sha256={digest}", str(len(data))]


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    build = _build()
    pkg = os.path.join(build, "python", "dlt")
    impl, abi, plat = _tag()
    version = _version()
    dist_info = f"{NAME}-{version}.dist-info"
    wheel_name = f"{NAME}-{version}-{impl}-{abi}-{plat}.whl"
    records = []
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w", zipfile.ZIP_DEFLATED) as z:
        def add(arcname, data):
            z.writestr(arcname, data)
            records.append(_record_line(arcname, data))

        for dirpath, dirnames, filenames in os.walk(pkg):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for fn in sorted(filenames):
                if fn.endswith(".py") or fn.startswith("_native."):
                    full = os.path.join(dirpath, fn)
                    with open(full, "rb") as f:
                        add(os.path.relpath(full, build + "/python"), f.read())
        with open(_duckdb_library(build), "rb") as f:
            add("dlt/_lib/libduckdb.so", f.read())
        add(f"{dist_info}/METADATA", _metadata().encode())
        add(f"{dist_info}/WHEEL", (f"Wheel-Version: 1.0\nGenerator: dlt_cpp_backend\nRoot-Is-Purelib: false\n"
                                   f"Tag: {impl}-{abi}-{plat}\n").encode())
        add(f"{dist_info}/top_level.txt", b"dlt\n")
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        for r in records:
            w.writerow(r)
        w.writerow([f"{dist_info}/RECORD", "", ""])
        z.writestr(f"{dist_info}/RECORD", out.getvalue())
    return wheel_name


def get_requires_for_build_wheel(config_settings=None):
    return []


def build_sdist(sdist_directory, config_settings=None):
    raise RuntimeError("dlt-cpp is installed from a checkout (pip install --no-build-isolation .); "
                       "source distributions are not made")
