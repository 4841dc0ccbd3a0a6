"""Meetings: the numbered sessions of J-LIS's committees, as ``jlis:Meeting``.

Two sources, both in every document that has them:

- the 開催状況 tables of the annual reports (「第3表 令和2年度の代表者会議の開催状況」:
  回数 / 開催年月日 / 概要 or 議題): one meeting per row, with its date and agenda
  items.  The agenda cell is HTML (``<ul><li>・ …</li>``) or ``・``-separated text in
  fy2020-report and hard-broken bullets in fy2023-report; a ``・`` glued inside a word
  (「通知カード・個人番号カード」) is not a new item, which the normalised text alone
  cannot tell, so item boundaries are read off the raw line (the k-th ``・`` of the
  normalised line is the k-th ``・`` of the raw one).
- the cover page of meeting materials (「第17回 経営審議委員会」, its date, and the
  numbered items under 「議事」 of 「次第」, plus the papers listed under 【報告】): the
  meeting the document was presented at, which the manifest names too.
- a committee's statement bound into the document (意見書): 「令和６年６月２１日開催の当委員会
  における意見は、…」 with the committee named on the signature lines below it
  (「地方公共団体情報システム機構 経営審議委員会」 / 「委員長 …」): the meeting that discussed
  the document, which is ``jlis:presentedAt`` it.  Such a meeting has no session number:
  its id is ``meeting/{committee-slug}-{ISO date}``.

PDF text can separate a table from its caption: a table whose caption is not a meeting
caption continues the committee whose previous session (N-1) this document lists,
else takes the nearest earlier meeting caption that has no table of its own; bullet
lines standing just before such a table's first row (a page break) finish the agenda
of that committee's previous session.

Meeting ids are ``meeting/{committee-slug}-{session}``, as ``assemble.meeting_id``
makes them for the manifest, so the same session from two sources is one resource.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..assemble import meeting_id
from ..catalogue import kind_of, match_form
from ..model import Evidence, Fact
from ..normalise import join_parts, normalise_text
from ..values import ParsedDate, find_dates
from .events import config_for, fiscal_year_wareki, label_of

SESSION = re.compile(r"^第\s*(\d{1,3})\s*回")
CAPTION_NUMBER = re.compile(r"^第\s*(\d+)\s*表")
LI = re.compile(r"<li[^>]*>(.*?)</li>", re.I | re.S)
ENUMERATOR = re.compile(r"^\s*(?:\(\d+\)|（\d+）|\d+[.．]?|[①-⑳])\s*")
CONCERN_KINDS = {"system", "law", "segment", "duty"}


@dataclass
class MeetingRow:
    committee: str
    session: int | None
    date: ParsedDate | None
    line: int
    end_line: int
    items: list[tuple[str, int, int]] = field(default_factory=list)  # (text, first line, last line)
    per_year: bool = False  # the committee numbers its sessions afresh every fiscal year

    @property
    def fiscal_year(self) -> int | None:
        return fiscal_year_of(self.date) if self.date is not None else None

    @property
    def id(self) -> str:
        if self.session is None:
            return f"meeting/{self.committee.split('/', 1)[1]}-{self.date.iso()}"
        if self.per_year and self.fiscal_year is not None:
            return f"meeting/{self.committee.split('/', 1)[1]}-fy{self.fiscal_year}-{self.session}"
        return meeting_id(self.committee, self.session)


# ───────────────────────── agenda cells ─────────────────────────

def _boundaries(raw: str, norm: str) -> list[int]:
    """Offsets in ``norm`` of the ``・`` that start a new item (raw: at a line start or after a space)."""
    raw_bullets = [i for i, ch in enumerate(raw) if ch == "・"]
    norm_bullets = [i for i, ch in enumerate(norm) if ch == "・"]
    if len(raw_bullets) != len(norm_bullets):
        return [i for i in norm_bullets if not norm[:i].strip()]
    starts = []
    for r, n in zip(raw_bullets, norm_bullets):
        before = raw[:r].rstrip(" \u3000")
        if not before or raw[r - 1] in " \t\u3000" or before.endswith(("\t", ">")):
            starts.append(n)
    return starts


def agenda_items(lines: list[tuple[int, str, str]]) -> list[tuple[str, int, int]]:
    """Agenda items from (line number, raw text, normalised text) pieces of an agenda cell."""
    items: list[list] = []  # [text, first line, last line]

    def add(text: str, number: int, new: bool) -> None:
        text = text.strip(" \t\u3000")
        if not text:
            return
        if new or not items:
            items.append([text, number, number])
        else:
            items[-1][0] += join_parts(items[-1][0], text) + text
            items[-1][2] = number

    for number, raw, norm in lines:
        if "<li" in raw.lower():
            for piece in LI.findall(raw):
                add(normalise_text(piece).lstrip("・ "), number, True)
            continue
        cuts = _boundaries(raw, norm)
        if not cuts:
            add(norm.replace("\t", ""), number, False)
            continue
        add(norm[:cuts[0]].replace("\t", ""), number, False)
        for index, cut in enumerate(cuts):
            end = cuts[index + 1] if index + 1 < len(cuts) else len(norm)
            add(norm[cut + 1:end].replace("\t", ""), number, True)
    return [(re.sub(r"\s+", " ", t).strip(), a, b) for t, a, b in items if t.strip("・ ")]


def _row_agenda(doc, row) -> list[tuple[str, int, int]]:
    pieces = []
    for number in range(row.line, max(row.end_line, row.line) + 1):
        line = doc.line(number)
        if line.role != "content":
            continue
        raw, norm = line.raw, line.text
        if number == row.line:
            if "\t" in norm:
                cells = norm.split("\t")
                raw_cells = raw.split("\t")
                norm = "\t".join(cells[2:])
                raw = "\t".join(raw_cells[2:]) if len(raw_cells) == len(cells) else raw
            else:
                dates = find_dates(norm)
                session = SESSION.match(norm)
                cut = dates[0][1] if dates else (session.end() if session else 0)
                norm = norm[cut:]
                raw = raw[_raw_offset_after_date(raw):]
        pieces.append((number, raw, norm))
    return agenda_items(pieces)


def _raw_offset_after_date(raw: str) -> int:
    """Where the agenda starts on a raw spaced row 「第 47 回 令和５年４月１日 ・議長の互選」."""
    dates = find_dates(raw)
    return dates[0][1] if dates else 0


# ───────────────────────── meeting tables ─────────────────────────

def _committee_in(text: str, finder) -> str | None:
    found = [e for _, _, _, e in finder.gazetteer.find(text) if kind_of(e) == "committee"]
    return found[-1] if found else None


def _meeting_captions(doc, finder, words) -> list[tuple[int, str, str]]:
    """(line, 第N表, committee) of every meeting-table caption in the document."""
    captions = []
    for line in doc.lines:
        if line.role != "content":
            continue
        text = line.text
        number = CAPTION_NUMBER.match(text)
        if not number or not any(w in text for w in words):
            continue
        committee = _committee_in(text, finder)
        if committee:
            captions.append((line.number, number.group(1), committee))
    return captions


def _meeting_rows(table) -> list[tuple[int, ParsedDate | None, object]]:
    rows = []
    for row in table.rows:
        head = " ".join(row.cells[:2])
        session = SESSION.match(head)
        if not session:
            continue
        dates = find_dates(head)
        rows.append((int(session.group(1)), dates[0][2] if dates else None, row))
    return rows


def _page_break_items(doc, first_row_line: int, stop_line: int) -> list[tuple[str, int, int]]:
    """Bullet lines standing right before a table's first row: the rest of a previous agenda."""
    collected = []
    number = first_row_line - 1
    while number > stop_line:
        line = doc.line(number)
        if line.role == "blank":
            number -= 1
            continue
        if line.role != "content" or "。" in line.text or CAPTION_NUMBER.match(line.text) \
                or SESSION.match(line.text) or len(line.text) > 40:
            break
        collected.insert(0, (number, line.raw, line.text))
        number -= 1
    if not collected or not collected[0][2].startswith("・"):
        return []
    return agenda_items(collected)


def meeting_tables(doc, structure, finder, config) -> list[MeetingRow]:
    captions = _meeting_captions(doc, finder, config.get("caption_words", ["開催状況"]))
    per_year_committees = set(config.get("numbered_per_fiscal_year") or ())
    by_number = {number: (line, committee) for line, number, committee in captions}
    used: set[str] = set()
    tables = []
    for table, _section in structure.tables():
        rows = _meeting_rows(table)
        if rows:
            tables.append((table, rows))
    tables.sort(key=lambda t: t[1][0][2].line)
    meetings: list[MeetingRow] = []
    sessions: dict[str, dict[int, MeetingRow]] = {}
    pending = []
    # First the tables whose caption is a meeting caption, then the others.
    for table, rows in tables:
        number = CAPTION_NUMBER.match(table.caption or "")
        if number and number.group(1) in by_number and any(
                w in table.caption for w in config.get("caption_words", ["開催状況"])):
            committee = by_number[number.group(1)][1]
            used.add(number.group(1))
            _add_rows(doc, committee, rows, meetings, sessions, per_year_committees)
        else:
            pending.append((table, rows))
    for table, rows in pending:
        first_session, _, first_row = rows[0]
        committee = None
        # continuity: the committee whose previous session this document lists
        candidates = [c for c, found in sessions.items() if first_session - 1 in found and first_session not in found]
        if len(candidates) == 1:
            committee = candidates[0]
        if committee is None:
            earlier = [(line, number, c) for line, number, c in captions
                       if number not in used and line < first_row.line]
            if earlier:
                line, number, committee = max(earlier)
                used.add(number)
        if committee is None:
            continue
        previous = sessions.get(committee, {}).get(first_session - 1)
        if previous is not None:
            previous.items.extend(_page_break_items(doc, first_row.line, previous.end_line))
        _add_rows(doc, committee, rows, meetings, sessions, per_year_committees)
    return meetings


def _add_rows(doc, committee, rows, meetings, sessions, per_year_committees=()) -> None:
    # Sessions numbered afresh every fiscal year (内部統制委員会 第1回, 第2回, … each year): listed
    # in events.yaml, or seen here as a table that starts at 第1回.
    per_year = committee in per_year_committees or rows[0][0] == 1
    for session, date, row in rows:
        if session in sessions.setdefault(committee, {}):
            continue
        meeting = MeetingRow(committee, session, date, row.line, max(row.end_line, row.line), _row_agenda(doc, row),
                             per_year=per_year)
        sessions[committee][session] = meeting
        meetings.append(meeting)


# ───────────────────────── the cover page of meeting materials ─────────────────────────

def cover_meeting(doc, finder, config) -> MeetingRow | None:
    content = [line for line in doc.lines if line.role == "content"][: int(config.get("cover_lines", 12))]
    for index, line in enumerate(content):
        session = SESSION.match(line.text)
        if not session:
            continue
        committee = _committee_in(line.text[session.end():], finder)
        rest = match_form(line.text[session.end():])
        if not committee or len(rest) > 20:
            continue
        date = None
        for later in content[index + 1: index + 4]:
            dates = find_dates(later.text)
            if dates and dates[0][2].precision == "day":
                date = dates[0][2]
                break
        meeting = MeetingRow(committee, int(session.group(1)), date, line.number, line.number)
        meeting.items = _cover_agenda(doc, line.number, config)
        return meeting
    return None


def _cover_agenda(doc, start: int, config) -> list[tuple[str, int, int]]:
    heading = config.get("agenda_heading", "議事")
    ends = tuple(config.get("agenda_end", ("閉会", "報告")))
    report_heading = config.get("report_heading", "【報告】")
    report_item = re.compile(config.get("report_item", r"^資料\s*\d+\s*"))
    items: list[tuple[str, int, int]] = []
    lines = [line for line in doc.lines[start:start + 60] if line.role == "content"]
    in_agenda = False
    report_index = None
    for index, line in enumerate(lines):
        text = line.text
        body = re.sub(r"^\d+\s*", "", text)
        if re.match(r"^\d+\s", text) and body == heading:
            in_agenda = True
            continue
        if in_agenda:
            if re.match(r"^\d+\s", text) and any(body.startswith(e) for e in ends):
                in_agenda = False
            elif ENUMERATOR.match(text):
                items.append((ENUMERATOR.sub("", text).strip(), line.number, line.number))
                continue
            else:
                in_agenda = False
        if text == report_heading:
            report_index = index
            break
    if report_index is not None:
        current = None
        for line in lines[report_index + 1:]:
            text = line.text
            if report_item.match(text):
                if current:
                    items.append(tuple(current))
                current = ["報告：" + report_item.sub("", text).strip(), line.number, line.number]
            elif current and len(doc.line(current[2]).text) >= 30 and not text.startswith(("【", "#")) \
                    and len(text) < 40:
                current[0] += join_parts(current[0], text) + text
                current[2] = line.number
            else:
                break
        if current:
            items.append(tuple(current))
    return items


# ───────────────────────── a committee's statement (意見書) ─────────────────────────

def statement_meeting(doc, finder, config) -> MeetingRow | None:
    """「令和６年６月２１日開催の当委員会における意見は、…」 signed 「… 経営審議委員会」 / 「委員長 …」:
    the meeting of the signing committee on that date."""
    anchor = config.get("statement_anchor")
    if not anchor:
        return None
    pattern = re.compile(anchor)
    roles = tuple(config.get("signature_roles") or ())
    window = int(config.get("signature_lines", 80))
    content = [line for line in doc.lines if line.role == "content"]
    for index, line in enumerate(content):
        match = pattern.search(line.text)
        if not match:
            continue
        dates = [d for d in find_dates(line.text) if d[1] <= match.start() + 1 and d[2].precision == "day"]
        if not dates or line.text[dates[-1][1]:match.start()].strip():
            continue
        following = content[index + 1:index + 1 + window]
        for position, later in enumerate(following):
            committee = _committee_in(later.text, finder)
            if committee is None:
                continue
            signer = following[position + 1:position + 3]
            if any(re.sub(r"\s", "", s.text).startswith(roles) for s in signer):
                return MeetingRow(committee, None, dates[-1][2], line.number, line.number)
    return None


# ───────────────────────── the extractor ─────────────────────────

def fiscal_year_of(date: ParsedDate) -> int:
    return date.year if (date.month or 4) >= 4 else date.year - 1


def meeting_facts(doc, meeting: MeetingRow, context, finder) -> list[Fact]:
    node = meeting.id

    def ev(line: int, end_line: int, text: str) -> Evidence:
        return Evidence(doc.doc_id, line, doc.line(line).raw.strip() or text, text, max(line, end_line))

    row_text = doc.line(meeting.line).text
    row_ev = ev(meeting.line, meeting.line, row_text)
    name = label_of(meeting.committee, context, finder)
    name_en = label_of(meeting.committee, context, finder, "en")
    label_ja, label_en = f"第{meeting.session}回{name}", f"{name_en}, session {meeting.session}"
    if meeting.session is None:
        label_ja, label_en = f"{meeting.date.wareki()}開催の{name}", f"{name_en}, meeting of {meeting.date.iso()}"
    elif meeting.per_year and meeting.fiscal_year is not None:
        label_ja = f"{fiscal_year_wareki(meeting.fiscal_year)}{label_ja}"
        label_en = f"{name_en}, FY{meeting.fiscal_year} session {meeting.session}"
    facts = [
        Fact(node, "rdf:type", "jlis:Meeting", row_ev),
        Fact(node, "jlis:meetingOf", meeting.committee, row_ev),
        Fact(node, "skos:prefLabel", label_ja, row_ev, literal=True, lang="ja"),
        Fact(node, "skos:prefLabel", label_en, row_ev, literal=True, lang="en"),
    ]
    if meeting.session is not None:
        facts.append(Fact(node, "jlis:sessionNumber", meeting.session, row_ev, literal=True))
    if meeting.date is not None and meeting.date.precision == "day":
        facts.append(Fact(node, "dcterms:date", meeting.date.iso(), row_ev, literal=True, datatype="xsd:date"))
        facts.append(Fact(node, "jlis:fiscalYear", fiscal_year_of(meeting.date), row_ev, literal=True))
    concerned = set()
    for text, line, end_line in meeting.items:
        item_ev = ev(line, end_line, text)
        facts.append(Fact(node, "jlis:agendaItem", text, item_ev, literal=True, lang="ja"))
        for _, _, _, entity in finder.gazetteer.find(text):
            if kind_of(entity) in CONCERN_KINDS and entity not in concerned:
                concerned.add(entity)
                facts.append(Fact(node, "jlis:concerns", entity, item_ev))
    return facts


def extract_meetings(doc, structure, finder, context, fiscal_year: int, extraction) -> list[Fact]:
    config = config_for(context).meetings
    facts: list[Fact] = []
    cover = cover_meeting(doc, finder, config)
    if cover is not None:
        facts.extend(meeting_facts(doc, cover, context, finder))
    for meeting in meeting_tables(doc, structure, finder, config):
        if cover is not None and (meeting.committee, meeting.session) == (cover.committee, cover.session):
            continue
        facts.extend(meeting_facts(doc, meeting, context, finder))
    statement = statement_meeting(doc, finder, config)
    if statement is not None and not (cover is not None and cover.committee == statement.committee
                                      and cover.date == statement.date):
        from . import document_entity

        facts.extend(meeting_facts(doc, statement, context, finder))
        line = doc.line(statement.line)
        ev = Evidence(doc.doc_id, statement.line, line.raw.strip() or line.text, line.text, statement.line)
        facts.append(Fact(document_entity(doc.doc_id), "jlis:presentedAt", statement.id, ev))
    return facts
