"""Reading the manifest and decoding source files, good and bad."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jlis_kg.model import InputError
from jlis_kg.sources import decode, read_corpus, read_manifest

ROOT = Path(__file__).resolve().parents[1]
EXCERPT = (ROOT / "data/sources/001_b4d6b1e6e0ba13ff.txt").read_text(encoding="utf-8")[:2000]

ENTRY = """  - id: {id}
    file: {file}
    title: 試験文書
    kind: annual-report
    fiscal_year: 2023
    as_of: 2024-03-31
"""


def make_data(tmp_path: Path, files: dict[str, bytes], entries: list[tuple[str, str]], extra: str = "") -> Path:
    data = tmp_path / "data"
    (data / "sources").mkdir(parents=True)
    for name, content in files.items():
        (data / "sources" / name).write_bytes(content)
    manifest = "documents:\n" + "".join(ENTRY.format(id=i, file=f) for i, f in entries) + extra
    (data / "manifest.yaml").write_text(manifest, encoding="utf-8")
    return data


@pytest.mark.parametrize("encoding, bom", [("utf-8", b""), ("cp932", b""), ("utf-16-le", b"\xff\xfe"),
                                           ("utf-8", b"\xef\xbb\xbf")])
def test_encodings_decode_to_the_same_text(encoding, bom):
    data = bom + EXCERPT.encode(encoding)
    text, _ = decode(data, Path("x.txt"))
    assert text == EXCERPT


def test_crlf_becomes_lf():
    text, _ = decode(EXCERPT.replace("\n", "\r\n").encode("utf-8"), Path("x.txt"))
    assert text == EXCERPT


@pytest.mark.parametrize("content, problem", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binary"),
    (bytes(range(256)) * 4, "binary"),
    ("本文".encode("utf-8") + b" \x82\x20 \xe3\x81" * 10, "decode"),
])
def test_bad_files_are_refused_with_one_line_naming_the_file(content, problem):
    with pytest.raises(InputError) as error:
        decode(content, Path("data/sources/bad.txt"))
    message = str(error.value)
    assert message.startswith("data/sources/bad.txt:") and problem in message and "\n" not in message


def test_declared_encoding_is_used(tmp_path):
    data = make_data(tmp_path, {"a.txt": EXCERPT.encode("cp932")}, [("a", "sources/a.txt")],
                     extra="    encoding: cp932\n")
    [document] = read_corpus(data)
    assert document.text == EXCERPT and document.encoding == "cp932"


def test_missing_file_is_named(tmp_path):
    data = make_data(tmp_path, {}, [("a", "sources/nowhere.txt")])
    with pytest.raises(InputError, match=r"nowhere\.txt.*does not exist"):
        read_corpus(data)


def test_two_documents_with_one_id_are_refused(tmp_path):
    data = make_data(tmp_path, {"a.txt": b"a\n", "b.txt": b"b\n"}, [("a", "sources/a.txt"), ("a", "sources/b.txt")])
    with pytest.raises(InputError, match="two documents claim the id 'a'"):
        read_manifest(data)


def test_duplicated_document_is_refused(tmp_path):
    data = make_data(tmp_path, {"a.txt": EXCERPT.encode(), "b.txt": EXCERPT.encode()},
                     [("a", "sources/a.txt"), ("b", "sources/b.txt")])
    with pytest.raises(InputError, match="duplicates document 'a'"):
        read_corpus(data)


@pytest.mark.parametrize("manifest, problem", [
    ("documents: [", "not valid YAML"),
    ("docs: []", "documents:"),
    ("documents:\n  - id: a\n", "missing key"),
    ("documents:\n  - {id: A B, file: x, title: t, kind: k, fiscal_year: 2020, as_of: 2020-01-01}\n", "id must be"),
    ("documents:\n  - {id: a, file: x, title: t, kind: k, fiscal_year: 2020, as_of: 2020-13-01}\n", "not an ISO date"),
])
def test_malformed_manifests_are_explained(tmp_path, manifest, problem):
    (tmp_path / "manifest.yaml").write_text(manifest, encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_manifest(tmp_path)
    assert problem in str(error.value) and "manifest.yaml" in str(error.value)


def test_the_project_manifest_reads(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", copy)
    documents = read_corpus(copy)
    assert [d.entry.id for d in documents] == ["fy2016-plan", "fy2018-plan", "fy2018-policy",
                                               "fy2020-report", "fy2023-report"]
    assert all(d.encoding == "utf-8" for d in documents)
