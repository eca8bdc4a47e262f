"""The annealer's compiled form (mypyc) and the guard that keeps a stale build from running.

`scripts/build_native.py` (run by `make`) compiles ``state`` and ``anneal`` into extension
modules next to their sources; Python then imports those instead of the ``.py`` files. A
compiled module built from an older source would silently run old code, so importing this
package compares the sources' digest with the one recorded at build time and deletes a stale
build (the pure-Python modules then run, with the same results for a given move budget).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.machinery
import json
import os
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODULES = ("state", "anneal")
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
        raise ImportError(f"the compiled IHTC annealer in {HERE} is older than its source and "
                          f"cannot be removed ({exc}); rebuild it with `make` or delete it") from exc
    warnings.warn("the compiled IHTC annealer was older than its source and was removed; "
                  "running pure Python (3-4x slower) until `make` rebuilds it", RuntimeWarning,
                  stacklevel=2)


def is_compiled() -> bool:
    """True when the annealer in use is the compiled one."""
    # deferred: this module runs before the annealer may be imported (drop_stale_build first)
    from kontrolltarn.plan.ihtc import anneal

    return not str(anneal.__file__).endswith(".py")
