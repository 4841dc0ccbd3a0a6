"""Where the project's inputs and outputs lie.

The commands work from a checkout: the project directory is ``$JLIS_KG_HOME`` if
set, else the nearest directory at or above the current one that holds
``data/manifest.yaml``, else the checkout this package was installed from
(``pip install -e .``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .model import InputError


@dataclass(frozen=True)
class ProjectPaths:
    root: Path
    data: Path
    build: Path

    @property
    def catalogue(self) -> Path:
        return self.data / "reference" / "catalogue.yaml"

    @property
    def cues(self) -> Path:
        return self.data / "reference" / "relation_cues.yaml"

    @property
    def ontology(self) -> Path:
        return self.root / "ontology" / "jlis.ttl"

    @property
    def shapes(self) -> Path:
        return self.root / "ontology" / "shapes.ttl"

    @property
    def queries(self) -> Path:
        return self.root / "queries"


def find_root(start: Path | None = None) -> Path:
    if os.environ.get("JLIS_KG_HOME"):
        return Path(os.environ["JLIS_KG_HOME"]).resolve()
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "data" / "manifest.yaml").is_file() and (candidate / "ontology").is_dir():
            return candidate
    installed = Path(__file__).resolve().parents[2]
    if (installed / "data" / "manifest.yaml").is_file():
        return installed
    raise InputError(f"{here}: not inside a jlis-kg checkout (no data/manifest.yaml found); set JLIS_KG_HOME")


def project_paths(root: Path | None = None, data: Path | None = None, build: Path | None = None) -> ProjectPaths:
    root = (root or find_root()).resolve()
    return ProjectPaths(root=root, data=(data or root / "data").resolve(), build=(build or root / "build").resolve())


def worker_count(tasks: int) -> int:
    """Processes or threads for ``tasks`` pieces of work: one per core, at most
    ``JLIS_KG_WORKERS`` when it is set, never more than the tasks, at least one."""
    wanted = int(os.environ.get("JLIS_KG_WORKERS") or 0) or (os.cpu_count() or 1)
    return max(1, min(wanted, tasks))


def fsync_dir(directory: Path) -> None:
    """Flush a directory's entries (a rename into it) to disk, where the system allows."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (so its staged files are not leftovers)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
