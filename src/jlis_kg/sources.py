"""Read the manifest and the source documents it lists.

This is the only stage that touches the bytes of a source file.  It decides the
encoding (declared in the manifest, or detected: a BOM, then UTF-8, then CP932,
the encoding Japanese government files most often come in), refuses what is not
text, and hands on a ``Document``: the manifest entry and the decoded text with
its line endings made ``\\n``.

Every problem is raised as ``InputError`` with one line naming the file.
"""
from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .model import InputError

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
REQUIRED_KEYS = ("id", "file", "title", "kind", "fiscal_year", "as_of")
# Tried in order when the manifest declares no encoding and there is no BOM.
FALLBACK_ENCODINGS = ("utf-8", "cp932")


class _ManifestLoader(yaml.SafeLoader):
    """YAML without implicit timestamps: dates stay strings, so a bad date gets our message."""


_ManifestLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Meeting:
    committee: str  # catalogue id, "committee/management-council"
    session: int
    date: dt.date | None


@dataclass(frozen=True)
class DocumentEntry:
    """One manifest entry, checked."""

    id: str
    file: str  # path relative to the data directory
    path: Path
    title: str
    kinds: tuple[str, ...]
    fiscal_year: int
    as_of: dt.date
    date: dt.date | None
    meeting: Meeting | None
    encoding: str | None
    derived_from: str | None


@dataclass(frozen=True)
class Document:
    entry: DocumentEntry
    text: str
    sha256: str
    encoding: str  # the encoding actually used


def _as_date(value, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{where}: '{value}' is not an ISO date (YYYY-MM-DD)") from None


def _parse_entry(raw: dict, index: int, manifest: Path, data_dir: Path) -> DocumentEntry:
    where = f"{manifest}: document #{index + 1}"
    if not isinstance(raw, dict):
        raise InputError(f"{where}: expected a mapping with keys {', '.join(REQUIRED_KEYS)}")
    missing = [key for key in REQUIRED_KEYS if key not in raw]
    if missing:
        raise InputError(f"{where}: missing key(s) {', '.join(missing)}")
    doc_id = str(raw["id"])
    where = f"{manifest}: document '{doc_id}'"
    if not ID_PATTERN.match(doc_id):
        raise InputError(f"{where}: id must be lowercase ASCII letters, digits and '-'")
    kinds = raw["kind"] if isinstance(raw["kind"], list) else [raw["kind"]]
    try:
        fiscal_year = int(raw["fiscal_year"])
    except (TypeError, ValueError):
        raise InputError(f"{where}: fiscal_year '{raw['fiscal_year']}' is not a year") from None
    if not 1960 <= fiscal_year <= 2100:
        raise InputError(f"{where}: fiscal_year {fiscal_year} is out of range 1960–2100")
    meeting = None
    if raw.get("meeting"):
        m = raw["meeting"]
        try:
            meeting = Meeting(str(m["committee"]), int(m["session"]),
                              _as_date(m["date"], where) if m.get("date") else None)
        except (KeyError, TypeError, ValueError):
            raise InputError(f"{where}: meeting needs committee, session (a number) and date") from None
    encoding = raw.get("encoding")
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"{where}: unknown encoding '{encoding}'") from None
    return DocumentEntry(
        id=doc_id,
        file=str(raw["file"]),
        path=data_dir / str(raw["file"]),
        title=str(raw["title"]),
        kinds=tuple(str(k) for k in kinds),
        fiscal_year=fiscal_year,
        as_of=_as_date(raw["as_of"], where),
        date=_as_date(raw["date"], where) if raw.get("date") else None,
        meeting=meeting,
        encoding=encoding,
        derived_from=raw.get("derived_from"),
    )


def read_manifest(data_dir: Path) -> list[DocumentEntry]:
    """The checked entries of ``data_dir/manifest.yaml``, in manifest order."""
    manifest = data_dir / "manifest.yaml"
    if not manifest.is_file():
        raise InputError(f"{manifest}: no manifest (expected a YAML file listing the documents)")
    try:
        content = yaml.load(manifest.read_text(encoding="utf-8"), Loader=_ManifestLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{manifest}: not valid YAML ({first})") from None
    if not isinstance(content, dict) or not isinstance(content.get("documents"), list):
        raise InputError(f"{manifest}: expected a top-level 'documents:' list")
    entries = [_parse_entry(raw, i, manifest, data_dir) for i, raw in enumerate(content["documents"])]
    seen: dict[str, str] = {}
    for entry in entries:
        if entry.id in seen:
            raise InputError(f"{manifest}: two documents claim the id '{entry.id}' ({seen[entry.id]}, {entry.file})")
        seen[entry.id] = entry.file
    ids = set(seen)
    for entry in entries:
        if entry.derived_from and entry.derived_from not in ids:
            raise InputError(f"{manifest}: document '{entry.id}': derived_from '{entry.derived_from}' is not in the manifest")
    if not entries:
        raise InputError(f"{manifest}: the documents list is empty")
    return entries


def decode(data: bytes, path: Path, declared: str | None = None) -> tuple[str, str]:
    """Decode a source file; returns (text, encoding used). Newlines become ``\\n``."""
    if not data.strip():
        raise InputError(f"{path}: the file is empty")
    if declared:
        encoding = declared
    elif data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = None
    if encoding is None and b"\x00" in data:
        raise InputError(f"{path}: binary file (contains NUL bytes), not text")
    candidates = (encoding,) if encoding else FALLBACK_ENCODINGS
    failures = {}
    for candidate in candidates:
        try:
            text = data.decode(candidate)
            break
        except UnicodeDecodeError as exc:
            failures[candidate] = exc
    else:
        failure = failures[candidates[0]]  # where the first (the likeliest) encoding fails
        line = _line_of(data, failure.start, candidates[0])
        if encoding:
            raise InputError(f"{path}:{line}: not valid {encoding} (byte {failure.start}: {failure.reason})")
        raise InputError(f"{path}:{line}: cannot decode as UTF-8 or CP932 (byte {failure.start}); "
                         "declare the encoding in the manifest")
    text = text.lstrip("\ufeff")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\x0c")
    if controls > max(8, len(text) // 100):
        raise InputError(f"{path}: looks like a binary file ({controls} control characters), not text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"{path}: the file holds no text")
    return text, (candidate if not encoding else encoding)


def _line_of(data: bytes, offset: int, encoding: str) -> int:
    """The 1-based line a byte offset falls on (for error messages)."""
    head = data[:offset].decode(encoding, errors="replace")
    return head.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1


def read_document(entry: DocumentEntry) -> Document:
    if not entry.path.is_file():
        raise InputError(f"{entry.path}: manifest entry '{entry.id}' points to a file that does not exist")
    data = entry.path.read_bytes()
    text, used = decode(data, entry.path, entry.encoding)
    return Document(entry=entry, text=text, sha256=hashlib.sha256(data).hexdigest(), encoding=used)


def read_corpus(data_dir: Path) -> list[Document]:
    """Every document of the manifest, decoded; refuses two entries with the same bytes."""
    documents = [read_document(entry) for entry in read_manifest(data_dir)]
    by_hash: dict[str, str] = {}
    for document in documents:
        other = by_hash.setdefault(document.sha256, document.entry.id)
        if other != document.entry.id:
            raise InputError(f"{document.entry.path}: duplicates document '{other}' byte for byte")
    return documents
