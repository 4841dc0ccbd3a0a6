"""Robustness, reproducibility and safe outputs, end to end through the real ``jlis-kg`` command.

Read the matrix ``CASES`` below as "case → expected outcome".  Every case runs the real
entry point in a subprocess (``python -m jlis_kg.cli``) on a small temporary project
(the real catalogue, ontology and shapes; one short document) named by ``JLIS_KG_HOME``:

* ``error``   — the build cannot be trusted: exit status 2, exactly one line on stderr,
  ``error: FILE[:LINE]: problem``, nothing on stdout, and ``build/`` byte for byte as
  the previous complete build left it;
* ``warning`` — the build can be trusted for the rest of the text: exit status 0, a
  ``warning: FILE:LINE: problem`` line for the problem, a complete, conforming build;
* ``same``    — the file in another encoding or with other line endings: exit 0, no
  warning, and the same N-Quads as the UTF-8/LF file except the one triple that must
  differ (``jlis:sha256`` of the source document: the checksum of the bytes as they lie
  in ``data/``).

Never a traceback.  Further down: the CP932 copy of every real document against the
session build, the sharded SHACL validation against one big validation, a killed build,
and the determinism of repeated builds.
"""
from __future__ import annotations

import codecs
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from jlis_kg.build import run_build
from jlis_kg.namespaces import ID, JLIS
from jlis_kg.paths import project_paths
from jlis_kg.validate import validate_triples

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_cli import copy_project, jlis, snapshot  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

DOCUMENT = """\
# 地方公共団体情報システム機構

## 令和6年度事業報告書

# 一 広域防災連携事業の実施状況

機構は、住民基本台帳法に基づく本人確認情報処理事務を適正かつ効率的に行った。

## １ 広域防災連携システムの運営

広域防災連携システムは、LGWAN を介して地方公共団体に提供する。

令和6年4月1日から運用を開始し、同年10月に利用団体が300を超えた。

第1表 事業費
(単位：千円)
区分\t予算額\t決算額
一般事業\t1,000\t900
公的個人認証サービス事業\t2,500\t2,400
"""
FILE = "sources/test.txt"

ENTRY = """\
  - id: {id}
    file: {file}
    title: 令和6年度事業報告書（試験用）
    kind: [annual-report]
    fiscal_year: 2024
    as_of: 2025-03-31
"""


def write_manifest(data: Path, entries: list[dict]) -> None:
    text = "documents:\n"
    for entry in entries:
        extra = {k: v for k, v in entry.items() if k not in ("id", "file")}
        text += ENTRY.format(id=entry["id"], file=entry["file"]) + "".join(f"    {k}: {v}\n" for k, v in extra.items())
    (data / "manifest.yaml").write_text(text, encoding="utf-8")


def small_project(dest: Path, content: bytes | None = None, **entry) -> Path:
    """The checkout's reference data, ontology and queries, with one document (DOCUMENT in UTF-8)."""
    project = copy_project(dest)
    shutil.rmtree(project / "data" / "sources")
    (project / "data" / "sources").mkdir()
    (project / "data" / FILE).write_bytes(DOCUMENT.encode("utf-8") if content is None else content)
    write_manifest(project / "data", [{"id": "fy2024-test", "file": FILE, **entry}])
    return project


# ───────────────────────── the matrix ─────────────────────────
# Each setup takes the data/ of a fresh small project and breaks or re-encodes it.

def set_bytes(content: bytes, **entry):
    def setup(data: Path):
        (data / FILE).write_bytes(content)
        if entry:
            write_manifest(data, [{"id": "fy2024-test", "file": FILE, **entry}])
    return setup


def text_with(extra: str):
    return set_bytes((DOCUMENT + extra).encode("utf-8"))


def second_entry(file: str, content: bytes | None, doc_id: str):
    def setup(data: Path):
        if content is not None:
            (data / file).write_bytes(content)
        write_manifest(data, [{"id": "fy2024-test", "file": FILE}, {"id": doc_id, "file": file}])
    return setup


def malformed_manifest(data: Path):
    (data / "manifest.yaml").write_text("documents:\n  - id: [fy2024-test\n    file: {\n", encoding="utf-8")


def missing_file(data: Path):
    (data / FILE).unlink()


UTF8 = DOCUMENT.encode("utf-8")
LONG_LINE = "住民基本台帳ネットワークシステムは、LGWANを介して提供する。" * 12_000  # 1 MB in UTF-8
AFTER = f":{DOCUMENT.count(chr(10)) + 1}:"  # the line a text appended to DOCUMENT starts at

# case id: (setup, outcome, words the one line must contain — file, line, problem)
CASES = {
    # the same text in another encoding or with other line endings → the same graph
    "cp932-detected": (set_bytes(DOCUMENT.encode("cp932")), "same", ()),
    "cp932-declared": (set_bytes(DOCUMENT.encode("cp932"), encoding="cp932"), "same", ()),
    "shift_jis-declared": (set_bytes(DOCUMENT.encode("shift_jis"), encoding="shift_jis"), "same", ()),
    "utf-16-bom": (set_bytes(DOCUMENT.encode("utf-16")), "same", ()),
    "utf-16le-bom-declared": (set_bytes(codecs.BOM_UTF16_LE + DOCUMENT.encode("utf-16-le"), encoding="utf-16"),
                              "same", ()),
    "utf-8-bom": (set_bytes(codecs.BOM_UTF8 + UTF8), "same", ()),
    "crlf": (set_bytes(DOCUMENT.replace("\n", "\r\n").encode("utf-8")), "same", ()),
    "cp932-crlf": (set_bytes(DOCUMENT.replace("\n", "\r\n").encode("cp932")), "same", ()),
    "utf-16-crlf": (set_bytes(DOCUMENT.replace("\n", "\r\n").encode("utf-16")), "same", ()),
    # the rest of the build can be trusted → a warning naming file and line, exit 0
    "truncated-table": (text_with("本人確認情報処理事業\t3,000"), "warning",
                        (FILE, AFTER, "ends the file with a row of 2 of 3 cells")),
    "1-MB-line": (text_with(LONG_LINE + "\n"), "warning", (FILE, AFTER, f"a line of {len(LONG_LINE):,} characters")),
    "unknown-era": (text_with("光文3年4月1日に開始した。\n"), "warning", (FILE, AFTER, "unknown era '光文'")),
    "令和99年13月": (text_with("令和99年13月に完了する予定である。\n"), "warning",
                  (FILE, AFTER, "'令和99年13月': there is no month 13")),
    # the build cannot be trusted → one error line, exit 2, build/ untouched
    "empty-file": (set_bytes(b""), "error", (FILE, "empty")),
    "blank-file": (set_bytes(b" \r\n\n\t\n"), "error", (FILE, "empty")),
    "binary-file": (set_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64), "error", (FILE, "binary")),
    "undecodable-bytes": (set_bytes(UTF8[:400] + b"\xff\xfe\x80 broken\n" + UTF8[400:]), "error",
                          (f"{FILE}:{UTF8[:400].count(10) + 1}:", "cannot decode as UTF-8 or CP932", "declare the encoding")),
    "cp932-declared-utf-8": (set_bytes(DOCUMENT.encode("cp932"), encoding="utf-8"), "error",
                             (FILE + ":1:", "not valid utf-8")),
    "unknown-encoding": (set_bytes(UTF8, encoding="klingon"), "error", ("manifest.yaml", "unknown encoding 'klingon'")),
    "missing-file": (missing_file, "error", (FILE, "does not exist")),
    "duplicated-document": (second_entry("sources/copy.txt", UTF8, "fy2024-copy"), "error",
                            ("sources/copy.txt", "duplicates document 'fy2024-test' byte for byte")),
    "two-documents-one-id": (second_entry("sources/other.txt", ("別の文書。\n" * 5).encode(), "fy2024-test"), "error",
                             ("manifest.yaml", "two documents claim the id 'fy2024-test'")),
    "malformed-manifest": (malformed_manifest, "error", ("manifest.yaml", "not valid YAML")),
}


class Baseline:
    def __init__(self, project: Path):
        self.project = project
        self.result = jlis(project, "build")
        assert self.result.returncode == 0, self.result.stderr[-2000:]
        assert self.result.stderr == "", self.result.stderr  # the clean document gives no warning
        self.build = project / "build"
        self.files = snapshot(self.build)
        self.store = os.readlink(self.build / "oxigraph")
        self.nquads = (self.build / "jlis.nq").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Baseline:
    return Baseline(small_project(tmp_path_factory.mktemp("baseline") / "project"))


SHA256 = f"<{JLIS.sha256}>"


def comparable(nquads: str) -> list[str]:
    """The N-Quads lines that must not depend on the bytes of the file: all but ``jlis:sha256``.

    The checksum is of the file as it lies in data/ — other bytes, another checksum — and
    is the only triple that may differ.  The encoding is not recorded in the graph;
    quotes are the decoded text, line numbers count lines whatever ends them.
    """
    return sorted(line for line in nquads.splitlines() if f" {SHA256} " not in line)


@pytest.mark.parametrize("case", list(CASES))
def test_input_matrix(baseline, tmp_path, case):
    setup, outcome, words = CASES[case]
    project = small_project(tmp_path / "project")
    setup(project / "data")
    if outcome == "error":
        # run on the baseline's build/, which must come through untouched
        result = jlis(baseline.project, "--data", str(project / "data"), "--build-dir", str(baseline.build), "build")
    else:
        result = jlis(project, "build")
    output = result.stdout + result.stderr
    assert "Traceback" not in output and "internal error" not in output, output[-3000:]
    lines = result.stderr.splitlines()
    if outcome == "error":
        assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        assert all(word in lines[0] for word in words), (words, lines[0])
        assert result.stdout == ""
        assert snapshot(baseline.build) == baseline.files, "the previous build must stay byte for byte"
        assert os.readlink(baseline.build / "oxigraph") == baseline.store
        return
    assert result.returncode == 0, result.stderr[-3000:]
    assert "SHACL validation: conforms" in result.stdout
    nquads = (project / "build" / "jlis.nq").read_text(encoding="utf-8")
    if outcome == "same":
        assert lines == [], result.stderr
        assert comparable(nquads) == comparable(baseline.nquads)
        assert nquads != baseline.nquads  # the checksum did change: the comparison left out a real difference
    else:
        assert all(line.startswith("warning: ") for line in lines), result.stderr
        warned = [line for line in lines if all(word in line for word in words)]
        assert len(warned) == 1, (words, lines)
        assert set(baseline.nquads.splitlines()) - set(nquads.splitlines()) <= {
            line for line in baseline.nquads.splitlines() if f" {SHA256} " in line}, "facts of the good part were lost"


def test_the_long_line_matrix_case_is_a_megabyte():
    assert 1_000_000 <= len(LONG_LINE.encode("utf-8")) <= 1_100_000


@pytest.mark.parametrize("command", ["validate", "stats", "query legal-basis"])
def test_commands_on_a_project_never_built(tmp_path, command):
    project = small_project(tmp_path / "project")
    result = jlis(project, *command.split())
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [f"error: {project / 'build' / 'jlis.nq'}: no built graph; run `jlis-kg build` first"]


# ───────────────────────── the real documents in other encodings ─────────────────────────

# Characters of the real documents that CP932 cannot encode, and what a CP932 file has instead.
CP932_STAND_INS = {"—": "―", "\xa0": " ", "▪": "■", "⁾": ")", "处": "処", "为": "為", "业": "業"}
_SUPERSCRIPTS = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+")


def cp932_text(text: str) -> str:
    """The text as a CP932 file can hold it: superscript footnote numbers as <sup>n</sup>."""
    text = _SUPERSCRIPTS.sub(lambda m: f"<sup>{m.group(0).translate(str.maketrans('⁰¹²³⁴⁵⁶⁷⁸⁹', '0123456789'))}</sup>",
                             text)
    return "".join(CP932_STAND_INS.get(ch, ch) for ch in text)


def corpus_build(tmp: Path, encode) -> str:
    """Build a copy of the project whose every source file is ``encode(text, index)``; returns jlis.nq."""
    project = copy_project(tmp)
    manifest = (project / "data" / "manifest.yaml").read_text(encoding="utf-8")
    for index, path in enumerate(sorted((project / "data" / "sources").glob("*.txt"))):
        content, declared = encode(path.read_text(encoding="utf-8"), index)
        path.write_bytes(content)
        if declared:
            manifest = manifest.replace(f"file: sources/{path.name}\n",
                                        f"file: sources/{path.name}\n    encoding: {declared}\n")
    (project / "data" / "manifest.yaml").write_text(manifest, encoding="utf-8")
    run_build(project_paths(root=project), validate=False)
    return (project / "build" / "jlis.nq").read_text(encoding="utf-8")


def graph_lines(nquads: str, doc_ids) -> list[str]:
    graphs = tuple(f"<https://w3id.org/jlis-kg/graph/{doc_id}> ." for doc_id in doc_ids)
    return [line for line in comparable(nquads) if line.endswith(graphs)]


def test_every_real_document_in_utf16_bom_or_crlf_gives_the_same_graph(build_dir, tmp_path):
    """Lossless re-encodings of all five documents: the whole dataset is the session build's."""
    variants = [lambda t: (t.encode("utf-16"), None),  # BOM, detected
                lambda t: (codecs.BOM_UTF8 + t.replace("\n", "\r\n").encode("utf-8"), None),
                lambda t: (t.replace("\n", "\r\n").encode("utf-16-le"), "utf-16-le"),  # declared, no BOM
                lambda t: (t.replace("\n", "\r\n").encode("utf-8"), None),
                lambda t: (codecs.BOM_UTF16_BE + t.encode("utf-16-be"), "utf-16")]
    nquads = corpus_build(tmp_path / "utf16", lambda text, i: variants[i](text))
    assert comparable(nquads) == comparable((build_dir / "jlis.nq").read_text(encoding="utf-8"))


def test_the_cp932_copy_of_every_real_document_gives_the_same_graph(build_dir, tmp_path):
    """Every document as CP932 (detected for some, declared for others) against the same text in UTF-8.

    001 and 004 are pure JIS text: their CP932 copies are exact, and their graphs are the
    session build's.  000, 002 and 003 hold characters CP932 has no code for (superscript
    footnote numbers, an em dash, NBSP, three simplified hanzi from OCR); their CP932
    copies carry the stand-ins of ``CP932_STAND_INS``, so the whole CP932 dataset is
    compared with a UTF-8 build of exactly that text.
    """
    originals = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "sources").glob("*.txt"))}
    exact = sorted(name for name, text in originals.items() if cp932_text(text) == text)
    assert exact == ["001_b4d6b1e6e0ba13ff.txt", "004_ef74194c5193d994.txt"]
    cp932 = corpus_build(tmp_path / "cp932", lambda text, i: (cp932_text(text).encode("cp932"),
                                                              "cp932" if i % 2 else None))
    utf8 = corpus_build(tmp_path / "utf8", lambda text, i: (cp932_text(text).encode("utf-8"), None))
    assert comparable(cp932) == comparable(utf8)
    session = (build_dir / "jlis.nq").read_text(encoding="utf-8")
    assert graph_lines(cp932, ["fy2016-plan", "fy2023-report"]) == graph_lines(session, ["fy2016-plan", "fy2023-report"])


# ───────────────────────── sharded SHACL validation ─────────────────────────

def _broken_dataset(dataset: Dataset):
    """The session graph of fy2018-policy and the reference graph, with three faults in the document graph."""
    small = [(s, p, o) for s, p, o, g in dataset.quads((None, None, None, None))
             if str(g.identifier if hasattr(g, "identifier") else g).rsplit("/", 1)[-1] in ("reference", "fy2018-policy")]
    statement = next(s for s, p, o in small if p == RDF.type and o == RDF.Statement)
    lgwan, juki = ID["system/lgwan"], ID["system/juki-net"]
    broken = [t for t in small if not (t[0] == statement and t[1] == JLIS.quote)]  # a statement without its quote
    broken += [(juki, JLIS.legalBasis, lgwan),  # a legal basis that is a system, not a law (sh:class)
               (lgwan, SKOS.prefLabel, Literal("第二の名前", lang="ja"))]  # a second @ja label: counted across graphs
    return broken, statement


def test_sharded_validation_reports_what_one_big_validation_reports(dataset):
    triples, statement = _broken_dataset(dataset)
    one = validate_triples(triples, ROOT / "ontology/shapes.ttl", ROOT / "ontology/jlis.ttl", workers=1,
                           max_triples=10**9)
    sharded = validate_triples(triples, ROOT / "ontology/shapes.ttl", ROOT / "ontology/jlis.ttl", workers=2,
                               max_triples=500)
    assert not one.conforms and not sharded.conforms
    assert (sharded.violations, sharded.warnings) == (one.violations, one.warnings)
    assert sharded.report_text == one.report_text
    focus = {str(node) for node in sharded.report_graph.objects(None, URIRef("http://www.w3.org/ns/shacl#focusNode"))}
    assert {str(statement), str(ID["system/juki-net"]), str(ID["system/lgwan"])} <= focus


def test_a_broken_statement_in_one_document_graph_fails_the_build(tmp_path):
    """End to end: a document whose statement lost its quote is reported, and the build exits 1."""
    project = small_project(tmp_path / "project")
    paths = project_paths(root=project)
    result = run_build(paths, write=False, validate=False)
    statement = next(s for s, _, _, _ in result.dataset.quads((None, RDF.type, RDF.Statement, None)))
    result.dataset.remove((statement, JLIS.quote, None, None))
    from jlis_kg.validate import validate_dataset
    report = validate_dataset(result.dataset, paths.shapes, paths.ontology, workers=2)
    assert not report.conforms and report.violations == 1
    assert str(statement) in report.report_text and "jlis:quote" in report.report_text.replace(str(JLIS), "jlis:")


# ───────────────────────── safe outputs ─────────────────────────

@pytest.mark.parametrize("point", ["read", "assemble", "validate", "write", "store", "publish"])
def test_a_killed_build_leaves_the_previous_build_intact(tmp_path, point):
    project = small_project(tmp_path / "project")
    first = jlis(project, "build")
    assert first.returncode == 0, first.stderr
    before, store = snapshot(project / "build"), os.readlink(project / "build" / "oxigraph")
    (project / "data" / FILE).write_text(DOCUMENT + "また、LGWAN の第四次移行を完了した。\n", encoding="utf-8")
    env = {**os.environ, "JLIS_KG_HOME": str(project), "JLIS_KG_TEST_KILL_AT": point}
    killed = subprocess.run([sys.executable, "-m", "jlis_kg.cli", "build"], cwd=project, env=env,
                            capture_output=True, text=True, timeout=600)
    assert killed.returncode == -9, (killed.returncode, killed.stderr[-2000:])
    after = snapshot(project / "build")
    leftovers = {name for name in after if ".partial-" in name}
    assert {name: digest for name, digest in after.items() if name not in leftovers} == before
    if point != "publish":  # killed after the store was published, before the files were renamed
        assert os.readlink(project / "build" / "oxigraph") == store
    # the next build removes what the killed one left and publishes a whole new build
    again = jlis(project, "build")
    assert again.returncode == 0, again.stderr
    files = snapshot(project / "build")
    assert not [name for name in files if ".partial-" in name]
    assert files["jlis.nq"] != before["jlis.nq"]
    assert jlis(project, "query", "legal-basis", "--format", "csv").returncode == 0


def test_two_builds_of_the_small_project_are_byte_identical(tmp_path):
    one, two = small_project(tmp_path / "one"), small_project(tmp_path / "two")
    for project in (one, two):
        assert jlis(project, "build").returncode == 0
    assert snapshot(one / "build") == snapshot(two / "build")
    assert os.readlink(one / "build" / "oxigraph") == os.readlink(two / "build" / "oxigraph")
