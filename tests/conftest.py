"""Shared fixtures: the real catalogue and cues, and one real build of the whole corpus."""
from __future__ import annotations

from pathlib import Path

import pytest

from jlis_kg.build import load_context, run_build
from jlis_kg.paths import project_paths
from jlis_kg.query import load_dataset

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def paths():
    return project_paths(root=ROOT)


@pytest.fixture(scope="session")
def context(paths):
    return load_context(paths)


@pytest.fixture(scope="session")
def entity(context):
    """The catalogue id a name (label or alias) stands for; fails the test if unknown."""
    def lookup(name: str) -> str:
        found = context.gazetteer.lookup(name)
        assert found, f"the catalogue does not know {name!r}"
        return found
    return lookup


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory, paths):
    out = tmp_path_factory.mktemp("build")
    result = run_build(paths, out_dir=out)
    assert result.validation is not None and result.validation.conforms, result.validation.report_text[:3000]
    return out


@pytest.fixture(scope="session")
def dataset(build_dir):
    return load_dataset(build_dir / "jlis.nq")


@pytest.fixture(scope="module")
def server(build_dir):
    """``jlis-kg serve`` on the session's build, on a free loopback port: its base URL."""
    from jlis_kg.server.child import start_server, stop_process

    process, base = start_server(build_dir, cwd=ROOT)
    yield base
    stop_process(process)
