"""People and posts: the agency's officers and the members of its councils, and its purpose.

From the 基本情報 part of an annual report, for the document's snapshot (its named graph):

- the officer table (「第1表 役員」: 役職 / 氏名) — 理事長, 副理事長, 理事, 理事（非常勤）, 監事, …;
- the member tables of the councils (「第2表 代表者会議委員」: 区分 / 氏名 / 役職 / 備考,
  「第4表 経営審議委員会委員」: 氏名 / 役職 / 備考), with the roles of the 備考 column
  (議長, 議長代理, 委員長, 委員長代理; a member without one is 委員);
- the agency's purpose statement (the section 「目的」 next to 「名称」 and 「設立年月日」),
  as ``jlis:purpose`` on the agency.

W3C ORG: every person (``foaf:Person``, ``person/{hash of the name}``, ``foaf:name``)
``org:holds`` an ``org:Post`` (``post/{organisation}-{post}``, ``org:postIn``, ``org:role``)
and has an ``org:Membership`` (``org:member``, ``org:organization``, ``org:role``, with
the member's 区分 as ``jlis:memberCategory`` and outside position as
``jlis:positionTitle``).  These triples stand in the document's named graph, so the
graph's fiscal year says when the person held the post.

Tables are TSV in fy2020-report and letter-spaced PDF text with no column separators in
fy2023-report (「理 事 長 椎橋  章 夫」, 「平井  伸 治 鳥取県知事 議長」).  There the
post is read off the start of the line; the name is the next one or two short words
(surname then given name, each possibly letter-spaced, a double space between them);
a role word ends the line; a line that does not start with a name continues the
position of the row above, and lines that spell a 区分 (even across a line break:
「地方公共団」/「体の代表者」) set the category of the rows below.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..catalogue import kind_of, match_form
from ..model import Evidence, Fact
from ..normalise import join_parts, normalise_text
from .events import config_for, label_of, short_hash

CAPTION = re.compile(r"^第\s*\d+\s*表\s*(.+)$")
NAME_CHAR = re.compile(r"^[\u3005\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]+$")


@dataclass(frozen=True)
class Role:
    ja: str
    slug: str
    en: str
    post_slug: str


@dataclass
class PersonRow:
    surname: str
    given: str
    role: Role
    organisation: str
    line: int
    end_line: int
    position: str = ""
    category: str = ""

    @property
    def name(self) -> str:
        return f"{self.surname} {self.given}".strip()

    @property
    def id(self) -> str:
        return person_id(self.surname + self.given)


def person_id(name: str) -> str:
    return f"person/{short_hash(match_form(name), length=10)}"


def _roles(raw_list) -> list[Role]:
    out = []
    for raw in raw_list or ():
        out.append(Role(ja=match_form(str(raw["ja"])), slug=str(raw["slug"]), en=str(raw.get("en", raw["slug"])),
                        post_slug=str(raw.get("post_slug", raw["slug"]))))
    return sorted(out, key=lambda r: -len(r.ja))


def squeeze(text: str) -> str:
    return match_form(text)


# ───────────────────────── names in letter-spaced text ─────────────────────────

def parse_name(raw: str) -> tuple[str, str, str] | None:
    """(surname, given name, rest of the raw text) at the start of ``raw``, or None.

    ``椎橋  章 夫 …`` → 椎橋 / 章夫; ``手 塚  悟`` → 手塚 / 悟; ``上原 哲太郎 立命館…`` → 上原 / 哲太郎;
    ``吉本 和彦`` → 吉本 / 和彦.
    """
    text = unicodedata.normalize("NFKC", raw).strip()
    parts = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    if len(parts) < 2:
        return None
    words = [p[0] for p in parts]
    seps = [parts[i + 1][1] - parts[i][2] for i in range(len(parts) - 1)] + [99]
    i = 0
    surname = words[0]
    if len(words[0]) == 1 and seps[0] == 1 and len(words[1]) == 1 and seps[1] >= 2:
        surname, i = words[0] + words[1], 1  # 「手 塚  悟」: a letter-spaced surname
    if not (1 <= len(surname) <= 4 and NAME_CHAR.match(surname)):
        return None
    j = i + 1
    if j >= len(words):
        return None
    if seps[i] >= 2 or len(surname) == 1:
        # the given name follows a wide gap, possibly letter-spaced: 「章 夫」
        given = words[j]
        k = j
        if len(given) == 1:
            while k + 1 < len(words) and seps[k] == 1 and len(words[k + 1]) == 1 and len(given) < 3:
                k += 1
                given += words[k]
    else:
        given, k = words[j], j
    if not (1 <= len(given) <= 4 and NAME_CHAR.match(given)):
        return None
    rest = text[parts[k][2]:] if k + 1 <= len(parts) else ""
    return surname, given, rest.strip()


def _strip_prefix(raw: str, squeezed_prefix: str) -> str:
    """``raw`` without the characters that make up ``squeezed_prefix`` (spaces skipped)."""
    count = 0
    target = len(squeezed_prefix)
    for index, ch in enumerate(raw):
        if count == target:
            return raw[index:]
        if not ch.isspace():
            count += 1
    return ""


# ───────────────────────── tables ─────────────────────────

@dataclass(frozen=True)
class PeopleTable:
    organisation: str
    officers: bool
    caption_line: int
    header_line: int
    columns: tuple[str, ...]


def _header_columns(text: str, words) -> tuple[str, ...] | None:
    rest, columns = squeeze(text), []
    while rest:
        word = next((w for w in words if rest.startswith(w)), None)
        if word is None:
            return None
        columns.append(word)
        rest = rest[len(word):]
    return tuple(columns) if len(columns) >= 2 and "氏名" in columns else None


def people_tables(doc, finder, context, config) -> list[PeopleTable]:
    words = [match_form(w) for w in config.get("header_words", ["区分", "氏名", "役職", "備考"])]
    officer_captions = {match_form(c) for c in config.get("officer_captions", ["役員"])}
    suffix = match_form(config.get("member_caption_suffix", "委員"))
    content = [line for line in doc.lines if line.role == "content"]
    tables, used = [], set()
    for index, line in enumerate(content):
        caption = CAPTION.match(line.text)
        if not caption:
            continue
        title = match_form(caption.group(1))
        if title in officer_captions:
            organisation, officers = context.agency, True
        elif title.endswith(suffix):
            found = [e for _, _, _, e in finder.gazetteer.find(title[: -len(suffix)]) if kind_of(e) == "committee"]
            if len(found) != 1:
                continue
            organisation, officers = found[0], False
        else:
            continue
        for later in content[index + 1: index + 80]:
            columns = _header_columns(later.text, words)
            if columns and later.number not in used:
                used.add(later.number)
                tables.append(PeopleTable(organisation, officers, line.number, later.number, columns))
                break
    return tables


def _stops(line, heading_lines) -> bool:
    text = line.text
    return (line.number in heading_lines or bool(CAPTION.match(text)) or bool(re.match(r"^第\s*\d+\s*回", text))
            or squeeze(text).startswith("回数"))


def table_rows(doc, table: PeopleTable, heading_lines, config) -> list[PersonRow]:
    officer_roles = _roles(config.get("officer_roles"))
    member_roles = _roles(config.get("member_roles"))
    default = config.get("default_member_role") or {"ja": "委員", "slug": "member", "en": "Member"}
    default_role = Role(match_form(default["ja"]), default["slug"], default.get("en", "Member"),
                        default.get("post_slug", default["slug"]))
    categories = sorted((match_form(c) for c in config.get("member_categories", ())), key=len, reverse=True)
    rows: list[PersonRow] = []
    category, pending = "", ""
    column_of = {name: i for i, name in enumerate(table.columns)}
    for line in doc.lines[table.header_line: table.header_line + 60]:
        if line.role != "content":
            continue
        if _stops(line, heading_lines):
            break
        raw = line.raw.rstrip()
        if "\t" in raw:  # TSV: one cell per column
            cells = [c.strip() for c in raw.split("\t")]
            cells += [""] * (len(table.columns) - len(cells))
            get = lambda name: cells[column_of[name]] if name in column_of else ""  # noqa: E731
            if get("区分"):
                category = normalise_text(get("区分"))
            name = parse_name(get("氏名")) or _unspaced(get("氏名"))
            if name is None:
                continue
            surname, given, _ = name
            if table.officers:
                role = next((r for r in officer_roles if r.ja == squeeze(get("役職"))), None)
                if role is None:
                    continue
                rows.append(PersonRow(surname, given, role, table.organisation, line.number, line.number))
            else:
                note = squeeze(get("備考"))
                role = next((r for r in member_roles if r.ja == note), default_role)
                rows.append(PersonRow(surname, given, role, table.organisation, line.number, line.number,
                                      position=normalise_text(get("役職")), category=category))
            continue
        squeezed = squeeze(raw)
        if table.officers:
            role = next((r for r in officer_roles if squeezed.startswith(r.ja)), None)
            name = parse_name(_strip_prefix(raw.strip(), role.ja)) if role else None
            if role and name:
                rows.append(PersonRow(name[0], name[1], role, table.organisation, line.number, line.number))
            continue
        # a member line: [区分] name [position] [role]
        if pending and squeeze(pending + squeezed) in categories:
            category, pending = pending + squeezed, ""
            continue
        if any(c.startswith(squeezed) and c != squeezed for c in categories):
            pending = squeezed
            continue
        pending = ""
        rest_raw = raw.strip()
        for c in categories:
            if squeezed.startswith(c):
                category, rest_raw = c, _strip_prefix(rest_raw, c).strip()
                break
        if not rest_raw:
            continue
        name = parse_name(rest_raw)
        if name is None:
            if rows:  # the position of the row above goes on
                position, role = _position_and_role(rest_raw, member_roles)
                row = rows[-1]
                if position:
                    row.position += join_parts(row.position, position) + position
                if role:
                    row.role = role
                row.end_line = line.number
            continue
        surname, given, rest = name
        position, role = _position_and_role(rest, member_roles)
        rows.append(PersonRow(surname, given, role or default_role, table.organisation, line.number, line.number,
                              position=position, category=category))
    return rows


def _unspaced(text: str) -> tuple[str, str, str] | None:
    text = normalise_text(text).replace(" ", "")
    return (text, "", "") if 2 <= len(text) <= 8 and NAME_CHAR.match(text) else None


def _position_and_role(raw: str, roles: list[Role]) -> tuple[str, Role | None]:
    words = raw.split()
    role = None
    if words:
        last = match_form(words[-1])
        role = next((r for r in roles if r.ja == last), None)
        if role:
            raw = raw[: raw.rstrip().rfind(words[-1])]
    return normalise_text(raw.strip()), role


# ───────────────────────── the purpose statement ─────────────────────────

def purpose_statement(structure, config):
    titles = {match_form(t) for t in config.get("purpose_titles", ["目的"])}
    siblings = {match_form(t) for t in config.get("purpose_siblings", ["名称", "設立年月日"])}
    for section in structure.sections():
        for child in section.children:
            if match_form(child.title) in titles and any(match_form(c.title) in siblings for c in section.children):
                blocks = [b for b in child.blocks if b.kind != "heading"]
                if blocks:
                    return blocks
    return None


# ───────────────────────── the extractor ─────────────────────────

def person_facts(doc, row: PersonRow, context, finder) -> list[Fact]:
    text = doc.line(row.line).text
    ev = Evidence(doc.doc_id, row.line, doc.line(row.line).raw.strip(), text, row.end_line)
    org_slug = row.organisation.split("/", 1)[1]
    post = f"post/{org_slug}-{row.role.post_slug}"
    role = f"role/{row.role.slug}"
    membership = f"membership/{org_slug}-{row.role.slug}-{row.id.split('/', 1)[1]}"
    org_ja, org_en = label_of(row.organisation, context, finder), label_of(row.organisation, context, finder, "en")
    facts = [
        Fact(row.id, "rdf:type", "foaf:Person", ev),
        Fact(row.id, "foaf:name", row.name, ev, literal=True, lang="ja"),
        Fact(row.id, "skos:prefLabel", row.name, ev, literal=True, lang="ja"),
        Fact(role, "rdf:type", "org:Role", ev),
        Fact(role, "skos:prefLabel", row.role.ja, ev, literal=True, lang="ja"),
        Fact(role, "skos:prefLabel", row.role.en, ev, literal=True, lang="en"),
        Fact(post, "rdf:type", "org:Post", ev),
        Fact(post, "org:postIn", row.organisation, ev),
        Fact(post, "org:role", role, ev),
        Fact(post, "skos:prefLabel", f"{org_ja}{row.role.ja}", ev, literal=True, lang="ja"),
        Fact(post, "skos:prefLabel", f"{row.role.en}, {org_en}", ev, literal=True, lang="en"),
        Fact(row.organisation, "org:hasPost", post, ev),
        Fact(row.id, "org:holds", post, ev),
        Fact(post, "org:heldBy", row.id, ev),
        Fact(row.id, "org:memberOf", row.organisation, ev),
        Fact(membership, "rdf:type", "org:Membership", ev),
        Fact(membership, "org:member", row.id, ev),
        Fact(membership, "org:organization", row.organisation, ev),
        Fact(membership, "org:role", role, ev),
        Fact(membership, "skos:prefLabel", f"{org_ja}{row.role.ja} {row.name}", ev, literal=True, lang="ja"),
    ]
    if row.category:
        facts.append(Fact(membership, "jlis:memberCategory", row.category, ev, literal=True, lang="ja"))
    if row.position:
        facts.append(Fact(membership, "jlis:positionTitle", row.position, ev, literal=True, lang="ja"))
    return facts


def extract_people(doc, structure, finder, context, fiscal_year: int, extraction) -> list[Fact]:
    from . import evidence

    config = config_for(context).people
    heading_lines = {section.line for section in structure.sections() if section.level > 0}
    facts: list[Fact] = []
    for table in people_tables(doc, finder, context, config):
        rows = table_rows(doc, table, heading_lines, config)
        if not rows:
            extraction.warnings.append(f"{doc.doc_id}:{table.header_line}: a table of people with no row read")
        for row in rows:
            facts.extend(person_facts(doc, row, context, finder))
    blocks = purpose_statement(structure, config)
    if blocks:
        text = "".join(b.text for b in blocks)
        first, last = blocks[0], blocks[-1]
        ev = evidence(doc, first, 0, len(first.text), text)
        ev = Evidence(ev.doc_id, ev.line, ev.quote, text, max(last.last_line, ev.line))
        facts.append(Fact(context.agency, "jlis:purpose", text, ev, literal=True, lang="ja"))
    return facts
