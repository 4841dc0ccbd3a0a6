"""The ``jlis-kg`` command end to end, through its real entry point in a subprocess.

The project is copied (data/, ontology/, queries/) into a temporary directory named by
``JLIS_KG_HOME``, so nothing here touches the checkout's build/.  The real corpus is built
twice in this file: once as it is (the module fixture ``built``), once with a sixth,
synthetic document added; byte-identical output is checked against the session build of
tests/conftest.py, which the query tests share (run alone, this file builds three times).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from jlis_kg.namespaces import ID

ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = ("jlis.trig", "jlis.nq", "summary.json", "validation.txt")


# ───────────────────────── helpers ─────────────────────────

def copy_project(dest: Path) -> Path:
    """data/, ontology/ and queries/ of the checkout, writable (the sources are read-only)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("data", "ontology", "queries"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    for path in dest.rglob("*"):
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return dest


def jlis(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "JLIS_KG_HOME": str(home)}
    env.pop("JLIS_KG_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "jlis_kg.cli", *args], cwd=home, env=env, input=stdin,
                          capture_output=True, text=True, timeout=1800)


def snapshot(directory: Path) -> dict[str, str]:
    """Every file of a directory (hidden ones too) and the SHA-256 of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir()) if p.is_file()}


def append_entry(data: Path, **entry) -> None:
    """A document entry appended to data/manifest.yaml, in the manifest's own style."""
    lines = [f"  - id: {entry.pop('id')}"] + [f"    {key}: {value}" for key, value in entry.items()]
    manifest = data / "manifest.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n", encoding="utf-8")


def add_document(data: Path, file_name: str, content: bytes | None, doc_id: str = "fy2024-extra",
                 title: str = "令和6年度事業報告書", **extra) -> Path:
    """A source file (unless ``content`` is None) and its manifest entry."""
    path = data / "sources" / file_name
    if content is not None:
        path.write_bytes(content)
    append_entry(data, id=doc_id, file=f"sources/{file_name}", title=title, kind="[annual-report]",
                 fiscal_year=2024, as_of="2025-03-31", **extra)
    return path


def assert_one_error_line(result: subprocess.CompletedProcess, *words: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


# ───────────────────────── one real build ─────────────────────────

class Built:
    def __init__(self, project: Path, result: subprocess.CompletedProcess):
        self.project, self.result = project, result
        self.build = project / "build"
        self.files = snapshot(self.build)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    project = copy_project(tmp_path_factory.mktemp("project"))
    return Built(project, jlis(project, "build"))


def test_build_exits_0_and_prints_its_summary(built):
    result = built.result
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout.splitlines()
    assert out[0] == f"built {built.build}/jlis.trig"
    assert out[1].startswith("documents: 5 ")
    assert "SHACL validation: conforms (0 violations" in result.stdout
    assert any(line.startswith("time per stage: ") for line in out)
    # stderr holds warnings about the text, never an error or a traceback
    assert all(line.startswith("warning: ") for line in result.stderr.splitlines()), result.stderr[-2000:]
    assert set(OUTPUTS) <= set(built.files)
    assert not [name for name in built.files if "partial" in name]
    summary = json.loads((built.build / "summary.json").read_text(encoding="utf-8"))
    assert summary["documents"] == 5
    assert summary["validation"] == {"conforms": True, "violations": 0, "warnings": summary["validation"]["warnings"]}
    assert (built.build / "validation.txt").read_text(encoding="utf-8").strip()


def test_two_builds_of_the_same_input_give_identical_nquads(built, build_dir):
    """The copy's build (a subprocess, another directory) against the session's (in-process, the checkout)."""
    assert (built.build / "jlis.nq").read_bytes() == (build_dir / "jlis.nq").read_bytes()


def test_two_builds_of_the_same_input_give_identical_trig(built, build_dir):
    assert sorted((built.build / "jlis.trig").read_bytes().splitlines()) == \
        sorted((build_dir / "jlis.trig").read_bytes().splitlines()), "not even the same lines"
    assert (built.build / "jlis.trig").read_bytes() == (build_dir / "jlis.trig").read_bytes()


def test_stats_json(built):
    result = jlis(built.project, "stats", "--json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    summary = json.loads((built.build / "summary.json").read_text(encoding="utf-8"))
    assert stats["documents"] == 5
    for key in ("quads", "distinct_triples", "evidence_statements", "relations_per_property"):
        assert stats[key] == summary[key], key
    assert stats["relations_per_property"]["jlis:deliveredVia"] >= 2


def test_validate(built):
    result = jlis(built.project, "validate")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert result.stdout.startswith("conforms")


def test_query_through_the_console(built):
    result = jlis(built.project, "query", "legal-basis", "--param", "system=住基ネット", "--format", "json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["head"]["vars"][:2] == ["system", "systemLabel"]
    laws = {b["lawLabel"]["value"] for b in answer["results"]["bindings"]}
    assert "住民基本台帳法" in laws
    assert {b["system"]["value"] for b in answer["results"]["bindings"]} == {str(ID["system/juki-net"])}


def test_query_list(built):
    result = jlis(built.project, "query", "--list")
    assert result.returncode == 0, result.stderr
    names = {line.split()[0] for line in result.stdout.splitlines()}
    assert names == {p.stem for p in (built.project / "queries").glob("*.rq")}


# ───────────────────────── bad input ─────────────────────────

JAPANESE = "住民基本台帳ネットワークシステムは、LGWAN を介して地方公共団体に提供する。\n" * 20


def empty_file(data: Path) -> tuple[str, ...]:
    add_document(data, "005_empty.txt", b"")
    return "005_empty.txt", "empty"


def binary_file(data: Path) -> tuple[str, ...]:
    add_document(data, "005_binary.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64)
    return "005_binary.txt", "binary"


def cp932_declared_utf8(data: Path) -> tuple[str, ...]:
    add_document(data, "005_cp932.txt", JAPANESE.encode("cp932"), encoding="utf-8")
    return "005_cp932.txt", "utf-8"


def missing_file(data: Path) -> tuple[str, ...]:
    add_document(data, "005_missing.txt", None)
    return "005_missing.txt", "does not exist"


def duplicate_id(data: Path) -> tuple[str, ...]:
    add_document(data, "005_twin.txt", JAPANESE.encode("utf-8"), doc_id="fy2023-report")
    return "manifest.yaml", "fy2023-report"


def malformed_manifest(data: Path) -> tuple[str, ...]:
    manifest = data / "manifest.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "  - id: [fy2024-report\n    file: {\n",
                        encoding="utf-8")
    return "manifest.yaml", "YAML"


@pytest.mark.parametrize("breakage", [empty_file, binary_file, cp932_declared_utf8, missing_file, duplicate_id,
                                      malformed_manifest], ids=lambda f: f.__name__)
def test_bad_input_is_one_error_line_and_the_previous_build_stays(built, tmp_path, breakage):
    assert built.result.returncode == 0
    data = copy_project(tmp_path / "project") / "data"
    words = breakage(data)
    result = jlis(built.project, "--data", str(data), "--build-dir", str(built.build), "build")
    line = assert_one_error_line(result, *words)
    assert str(data) in line  # the full path of the file at fault
    assert result.stdout == ""
    assert snapshot(built.build) == built.files, "the previous build must stay byte for byte"


def test_a_malformed_query_file_is_one_error_line(built, tmp_path):
    broken = tmp_path / "broken.rq"
    broken.write_text("# Question: what?\nSELECT ?x WHERE { ?x jlis:dependsOn \n", encoding="utf-8")
    result = jlis(built.project, "query", str(broken))
    assert_one_error_line(result, str(broken), "malformed SPARQL")
    update = tmp_path / "update.rq"
    update.write_text("DROP ALL\n", encoding="utf-8")
    assert_one_error_line(jlis(built.project, "query", str(update)), str(update), "only SELECT and ASK")
    assert_one_error_line(jlis(built.project, "query", "-", stdin="SELECT WHERE"), "<stdin>")
    assert_one_error_line(jlis(built.project, "query", "no-such-query"), "no-such-query")
    assert snapshot(built.build) == built.files


# ───────────────────────── a sixth document ─────────────────────────

SIXTH = """\


# 地方公共団体情報システム機構

## 令和6年度事業報告書

# 一 広域防災連携事業の実施状況

機構は、住民基本台帳法に基づく本人確認情報処理事務を適正かつ効率的に行うとともに、災害時における地方公共団体間の連携を支援した。

## １ 広域防災連携システムの運営

広域防災連携システムは、LGWAN を介して地方公共団体に提供する。

令和6年度は、広域防災連携システムの運用・監視を行い、安全かつ安定的な運営に努めた。また、大規模災害を想定した訓練を実施し、緊急時の対応手順を確認した。

## ２ 広域防災連携システムの普及促進

地方公共団体に対する説明会を開催し、広域防災連携システムの利用を促進した。
"""
SIXTH_FILE = "005_fy2024_synthetic.txt"
SIXTH_LINE = SIXTH.split("\n").index("広域防災連携システムは、LGWAN を介して地方公共団体に提供する。") + 1

SIXTH_QUERY = """
SELECT ?system ?document ?predicate ?file ?line ?quote ?fiscalYear
WHERE {
  ?system skos:prefLabel ?label . FILTER(STR(?label) = "広域防災連携システム")
  ?system a jlis:InformationSystem ; jlis:discoveredIn ?document .
  VALUES ?predicate { jlis:deliveredVia jlis:dependsOn }
  ?system ?predicate <https://w3id.org/jlis-kg/id/system/lgwan> .
  GRAPH ?g {
    ?st rdf:subject ?system ; rdf:predicate ?predicate ; rdf:object <https://w3id.org/jlis-kg/id/system/lgwan> ;
        prov:wasDerivedFrom ?document ; jlis:sourceLine ?line ; jlis:quote ?quote .
  }
  ?g jlis:fiscalYear ?fiscalYear .
  ?document jlis:fileName ?file .
}
ORDER BY ?predicate
"""


def test_a_sixth_document_loads_with_no_code_change(tmp_path):
    project = copy_project(tmp_path / "six")
    add_document(project / "data", SIXTH_FILE, SIXTH.encode("utf-8"), doc_id="fy2024-synthetic",
                 title="令和6年度事業報告書（試験用）")
    result = jlis(project, "build")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines()[1].startswith("documents: 6 ")
    assert "SHACL validation: conforms" in result.stdout

    query = tmp_path / "sixth.rq"
    query.write_text(SIXTH_QUERY, encoding="utf-8")
    result = jlis(project, "query", str(query), "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = [{k: v["value"] for k, v in b.items()} for b in json.loads(result.stdout)["results"]["bindings"]]
    assert {row["predicate"].rsplit("#", 1)[-1] for row in rows} == {"deliveredVia", "dependsOn"}, rows
    for row in rows:
        assert row["system"].startswith(str(ID["system/"]))
        assert row["document"] == str(ID["document/fy2024-synthetic"])
        assert row["file"] == f"sources/{SIXTH_FILE}"
        assert row["fiscalYear"] == "2024"
        assert int(row["line"]) == SIXTH_LINE
        assert row["quote"] == "広域防災連携システムは、LGWAN を介して地方公共団体に提供する。"
        # …and the quote stands at that line of the file as it lies in data/
        lines = (project / "data" / row["file"]).read_text(encoding="utf-8").split("\n")
        assert lines[int(row["line"]) - 1] == row["quote"]
