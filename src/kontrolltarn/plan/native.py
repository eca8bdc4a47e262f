"""The annealers' compiled form (mypyc) and the guard that keeps a stale build from running.

`scripts/build_native.py` (run by `make`) compiles the hot modules (``MODULES``: the IHTC
annealer's ``state`` and ``anneal``, the INRC-II annealer) into extension modules next to their
sources; Python then imports those instead of the ``.py`` files. A compiled module built from an
older source would silently run old code, so importing an engine that uses one
(``plan.ihtc``, ``plan.staffing``) first compares the sources' digest with the one recorded at
build time and deletes a stale build (the pure-Python modules then run, with the same results
for a given move budget).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.machinery
import importlib.util
import json
import os
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: the compiled modules, as paths below this package without ".py"
MODULES = ("ihtc/state", "ihtc/anneal", "staffing/inrc2_anneal")
MANIFEST = HERE / "native.json"


def source_files() -> list[Path]:
    return [HERE / f"{name}.py" for name in MODULES]


def source_digest() -> str:
    digest = hashlib.sha256()
    for path in source_files():
        digest.update(path.read_bytes())
    return digest.hexdigest()


def extension_files() -> list[Path]:
    """Compiled modules of MODULES present next to the sources."""
    return [HERE / f"{name}{suffix}" for name in MODULES
            for suffix in importlib.machinery.EXTENSION_SUFFIXES
            if (HERE / f"{name}{suffix}").exists()]


def write_manifest(built: list[Path], *, compiled: bool, reason: str = "") -> None:
    MANIFEST.write_text(json.dumps({"compiled": compiled, "source_sha256": source_digest(),
                                    "files": [os.path.relpath(p, HERE) for p in built], "reason": reason},
                                   indent=1) + "\n")


def remove_build() -> None:
    """Delete every compiled file of the last build (and its manifest)."""
    files = set(extension_files())
    if MANIFEST.exists():
        with contextlib.suppress(ValueError, AttributeError):  # a damaged manifest
            files.update(HERE / f for f in json.loads(MANIFEST.read_text()).get("files", []))
        MANIFEST.unlink()
    for path in files:
        path.unlink(missing_ok=True)


def drop_stale_build() -> None:
    """Delete compiled modules that were not built from the current sources."""
    if not extension_files():
        return
    recorded = ""
    if MANIFEST.exists():
        try:
            recorded = json.loads(MANIFEST.read_text()).get("source_sha256", "")
        except ValueError:
            recorded = ""
    if recorded == source_digest():
        return
    try:
        remove_build()
    except OSError as exc:  # e.g. a read-only install: never run old code silently
        raise ImportError(f"the compiled annealers in {HERE} are older than their sources and "
                          f"cannot be removed ({exc}); rebuild them with `make` or delete them") from exc
    warnings.warn("the compiled annealers were older than their sources and were removed; "
                  "running pure Python (3-4x slower) until `make` rebuilds them", RuntimeWarning,
                  stacklevel=2)


def is_compiled(module: str) -> bool:
    """True when ``module`` (``kontrolltarn.plan.ihtc.anneal``) would be imported compiled: its
    package finds an extension before the source, as the import system does."""
    spec = importlib.util.find_spec(module)
    return spec is not None and spec.origin is not None and not spec.origin.endswith(".py")


# On import: whoever imports this first (``plan.ihtc``, ``plan.staffing``) does so before it
# imports a compiled module, so a stale build is gone before it can load.
drop_stale_build()
