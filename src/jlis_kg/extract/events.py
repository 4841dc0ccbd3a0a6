"""Events: the dated happenings the text states, as ``jlis:Event``.

A cue phrase of ``data/reference/events.yaml`` (「運用を開始」, 「成立」, 「設立」,
「障害」, 「指定法人とされ」, …) with a date before it in the same sentence is an
event of the cue's type: ``dcterms:date`` as precise as the text (``xsd:date``,
``xsd:gYearMonth`` or ``xsd:gYear``), ``jlis:eventType``, ``jlis:concerns`` the
entities the clause names, labels, and the sentence as evidence of every triple.
The rules that pair a cue with its date and its entities are documented in the
header of ``events.yaml``; the phrases themselves are data.

Event ids are ``event/{hash}`` of the type, the ISO date and the concerned ids (the
wording when no entity is named), so the same event told by two documents is one
resource in the union of the named graphs.

The same file configures ``meetings.py`` and ``people.py``; :func:`config_for`
loads it once per build.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..catalogue import kind_of, match_form, read_reference_yaml
from ..model import Block, Evidence, Fact, InputError
from ..values import ParsedDate, find_dates, fiscal_year
from .mentions import MentionFinder

DATATYPES = {"day": "xsd:date", "month": "xsd:gYearMonth", "year": "xsd:gYear"}
SYSTEM_LIKE = {"system"}
RANGE_GAP = re.compile(r"^\s*(?:から|より|~|～|-|－|―)\s*$")
COORDINATION_GAP = re.compile(r"^[\s、,及びとからよりはもにで]*$")
OPEN, CLOSE = "（(", "）)"


# ───────────────────────── configuration ─────────────────────────

@dataclass(frozen=True)
class EventType:
    type: str
    ja: str
    en: str
    cues: tuple[str, ...]
    not_before: tuple[str, ...] = ()
    not_after: tuple[str, ...] = ()
    max_distance: int = 70
    after_date: tuple[str, ...] = ()  # when set, the date must be followed by one of these (「から」)
    agents: tuple[str, ...] = ()  # names followed by these (「…等が策定」) did it: the event is not about them


@dataclass(frozen=True)
class EventConfig:
    path: Path
    types: dict[str, EventType]
    cue_regex: re.Pattern
    cue_types: dict[str, str]  # cue (match form) → type
    topic_particles: tuple[str, ...]
    clause_particles: tuple[str, ...]
    planned_markers: tuple[str, ...]
    past_markers: tuple[str, ...]
    generic_entities: frozenset[str]
    subject_terms: tuple[tuple[str, str, int, int], ...]  # (term, entity, from FY, until FY; 0 = open)
    min_subject_chars: int
    section_events: tuple[dict, ...]
    fiscal_date: re.Pattern = None  # a fiscal year an action starts from / is planned for
    clause_boundaries: tuple[str, ...] = ()  # names before these are no fallback subject
    not_entity_after: tuple[str, ...] = ()  # a name followed by these is someone else (「…事業者」)
    non_past_endings: tuple[str, ...] = ()  # a sentence ending so announces what is to come
    cue_options: dict = field(default_factory=dict)  # cue (match form) → its own settings
    relative_years: dict = field(default_factory=dict)  # 昨年 → -1
    fiscal_topic: re.Pattern | None = None  # 「令和2年度においては、」
    dated_titles: tuple[tuple[str, str], ...] = ()  # (title suffix, type), longest suffix first
    note_subject_particles: tuple[str, ...] = ()
    date_labels: dict = field(default_factory=dict)  # 開催月日 → meeting
    start_after_date: dict = field(default_factory=dict)
    meetings: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)

    def type_of(self, cue: str) -> EventType:
        return self.types[self.cue_types[match_form(cue)]]


CUE_OPTIONS = ("max_distance", "after_date", "not_before", "not_after", "object_only")


def _cue_entries(raw, path: Path, name: str) -> list[tuple[str, dict]]:
    """A type's cues: plain phrases, or ``{cue: …, max_distance / after_date / not_before /
    not_after / object_only: …}`` for a phrase with settings of its own."""
    out = []
    for entry in raw if isinstance(raw, list) else [raw]:
        if isinstance(entry, dict):
            if not entry.get("cue") or set(entry) - {"cue", *CUE_OPTIONS}:
                raise InputError(f"{path}: a cue of '{name}' must be a phrase or {{cue: …}} with "
                                 f"{', '.join(CUE_OPTIONS)}")
            out.append((str(entry["cue"]), {k: v for k, v in entry.items() if k != "cue"}))
        else:
            out.append((str(entry), {}))
    return out


def _strings(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


@lru_cache(maxsize=8)
def _load(path: Path, mtime: float) -> EventConfig:
    content = read_reference_yaml(path, "events, meetings and people reference", "event_types")
    default_distance = int((content.get("defaults") or {}).get("max_distance", 70))
    types: dict[str, EventType] = {}
    cue_types: dict[str, str] = {}
    cue_options: dict[str, dict] = {}
    for index, raw in enumerate(content["event_types"]):
        name = str(raw.get("type", "")) if isinstance(raw, dict) else ""
        if not re.fullmatch(r"[a-z][a-z0-9-]*", name) or not raw.get("cues"):
            raise InputError(f"{path}: event type #{index + 1} needs a lower-case ASCII 'type' and 'cues'")
        entries = _cue_entries(raw["cues"], path, name)
        event_type = EventType(
            type=name, ja=str(raw.get("ja", name)), en=str(raw.get("en", name)),
            cues=tuple(cue for cue, _ in entries), not_before=_strings(raw.get("not_before")),
            not_after=_strings(raw.get("not_after")),
            max_distance=int(raw.get("max_distance", default_distance)),
            after_date=_strings(raw.get("after_date")), agents=_strings(raw.get("agents")))
        types[name] = event_type
        for cue, options in entries:
            cue_types.setdefault(match_form(cue), name)
            if options:
                cue_options.setdefault(match_form(cue), options)
    alternatives = sorted(cue_types, key=lambda c: (-len(c), c))
    return EventConfig(
        path=path, types=types, cue_regex=re.compile("|".join(map(re.escape, alternatives))),
        cue_types=cue_types,
        topic_particles=tuple(sorted(_strings(content.get("topic_particles")), key=len, reverse=True)),
        clause_particles=tuple(sorted(_strings(content.get("clause_particles")), key=len, reverse=True)),
        planned_markers=_strings(content.get("planned_markers")),
        past_markers=_strings(content.get("past_markers")),
        generic_entities=frozenset(_strings(content.get("generic_entities"))),
        subject_terms=tuple((match_form(str(t["term"])), str(t["entity"]), int(t.get("from") or 0),
                             int(t.get("until") or 0)) for t in content.get("subject_terms") or ()),
        min_subject_chars=int(content.get("min_subject_chars", 3)),
        section_events=tuple(content.get("section_events") or ()),
        fiscal_date=_fiscal_date_regex(_strings(content.get("fiscal_year_followers")) or DEFAULT_FISCAL_FOLLOWERS),
        clause_boundaries=_strings(content.get("clause_boundaries")),
        not_entity_after=_strings(content.get("not_entity_after")),
        non_past_endings=_strings(content.get("non_past_endings")),
        cue_options=cue_options,
        relative_years={str(k): int(v) for k, v in (content.get("relative_years") or {}).items()},
        fiscal_topic=_fiscal_topic_regex(_strings(content.get("fiscal_topic_followers"))),
        dated_titles=tuple(sorted(((str(suffix), str(rule["type"])) for rule in content.get("dated_titles") or ()
                                   for suffix in _strings(rule.get("suffixes"))), key=lambda x: -len(x[0]))),
        note_subject_particles=_strings(content.get("note_subject_particles")),
        date_labels={str(k): str(v) for k, v in (content.get("date_labels") or {}).items()},
        start_after_date=dict(content.get("start_after_date") or {}),
        meetings=dict(content.get("meetings") or {}),
        people=dict(content.get("people") or {}),
    )


def load_event_config(path: Path) -> EventConfig:
    path = Path(path)
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        raise InputError(f"{path}: the events, meetings and people reference file is missing") from None
    return _load(path, mtime)


def config_for(context) -> EventConfig:
    """The events.yaml next to the catalogue the context was loaded from."""
    return load_event_config(Path(context.catalogue.path).parent / "events.yaml")


# ───────────────────────── helpers shared by the extractors ─────────────────────────

def label_of(entity: str, context, finder: MentionFinder | None = None, lang: str = "ja") -> str:
    record = context.catalogue.get(entity)
    if record is None and finder is not None:
        record = finder.discovered.get(entity)
    if record is None:
        return entity
    if lang == "en":
        return record.label_en or record.label_ja
    return record.label_ja


def date_fact(subject: str, date: ParsedDate, ev: Evidence, predicate: str = "dcterms:date") -> Fact:
    return Fact(subject, predicate, date.iso(), ev, literal=True, datatype=DATATYPES[date.precision])


def short_hash(*parts: str, length: int = 12) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:length]


def event_id(event_type: str, date: ParsedDate, concerned: tuple[str, ...], wording: str = "") -> str:
    key = ",".join(sorted(concerned)) if concerned else "text:" + match_form(wording)
    return f"event/{short_hash(event_type, date.iso(), key)}"


# ───────────────────────── finding events in a sentence ─────────────────────────

@dataclass(frozen=True)
class Cue:
    start: int
    end: int
    type: EventType
    max_distance: int = 70
    after_date: tuple[str, ...] = ()
    object_only: bool = False  # only the names right before the cue are what it is about


@dataclass(frozen=True)
class FoundEvent:
    type: str  # with the planned- prefix when planned
    base: EventType
    date: ParsedDate
    concerned: tuple[str, ...]
    wording: str  # the clause from the date (or topic) to the cue, for labels and ids
    start: int  # offsets in the sentence: the evidence span
    end: int
    planned: bool
    fiscal: bool = False  # the date is a fiscal year (「平成31年度から」)


def _brackets(text: str) -> list[int]:
    """For each offset, the start offset of the innermost round bracket around it (-1: none)."""
    owner, stack = [], []
    for index, ch in enumerate(text):
        if ch in OPEN:
            stack.append(index)
            owner.append(index)
            continue
        owner.append(stack[-1] if stack else -1)
        if ch in CLOSE and stack:
            stack.pop()
    return owner


def find_cues(text: str, config: EventConfig) -> list[Cue]:
    cues = []
    for match in config.cue_regex.finditer(text):
        event_type = config.type_of(match.group(0))
        options = config.cue_options.get(match_form(match.group(0)), {})
        before, after = text[:match.start()], text[match.end():]
        if any(before.endswith(w) for w in event_type.not_before + _strings(options.get("not_before"))):
            continue
        if any(after.startswith(w) for w in event_type.not_after + _strings(options.get("not_after"))):
            continue
        cues.append(Cue(match.start(), match.end(), event_type,
                        max_distance=int(options.get("max_distance", event_type.max_distance)),
                        after_date=_strings(options["after_date"]) if "after_date" in options else event_type.after_date,
                        object_only=bool(options.get("object_only"))))
    return cues


DEFAULT_FISCAL_FOLLOWERS = ("から", "より", "中に", "中の", "に予定", "に発生")
FISCAL_YEAR = r"(?:令和|平成)(?:元|\d{1,2})年度"
FISCAL_DATE = re.compile(FISCAL_YEAR + r"(?=" + "|".join(DEFAULT_FISCAL_FOLLOWERS) + ")")


def _fiscal_date_regex(followers) -> re.Pattern:
    return re.compile(FISCAL_YEAR + r"(?=" + "|".join(map(re.escape, followers)) + ")")


def _fiscal_topic_regex(followers) -> re.Pattern | None:
    if not followers:
        return None
    ordered = sorted(followers, key=len, reverse=True)
    return re.compile(r"(?:^|(?<=[、。]))(?:また|さらに|なお|加えて)?、?(" + FISCAL_YEAR + r")(?:" +
                      "|".join(map(re.escape, ordered)) + ")")


@dataclass(frozen=True)
class DateSpan:
    start: int
    end: int
    date: ParsedDate
    fiscal: bool = False  # a fiscal year (「平成31年度から」): the date is the year it starts in


BARE_MONTH = re.compile(r"(?<![\d年月同])(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?(?!\s*(?:末|以降|分))")


def _relative_dates(text: str, taken, relative_years: dict, reference_year: int | None,
                    topic_year: int | None) -> list[tuple[int, int, ParsedDate]]:
    """Dates without a year of their own: 「昨年」 against the year the document was written,
    and 「5月25日」 in a sentence or paragraph about a fiscal year (「令和2年度においては、」)."""
    out = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    if reference_year is not None:
        for word, offset in relative_years.items():
            for match in re.finditer(re.escape(word) + r"(?!度)", text):
                if free(match.start(), match.end()) and not text.startswith("一" + word, match.start() - 1):
                    out.append((match.start(), match.end(), ParsedDate(reference_year + offset, None, None, "year")))
    if topic_year is not None:
        for match in BARE_MONTH.finditer(text):
            month, day = int(match.group(1)), int(match.group(2)) if match.group(2) else None
            if not free(match.start(), match.end()) or not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
                continue
            year = topic_year if month >= 4 else topic_year + 1
            out.append((match.start(), match.end(), ParsedDate(year, month, day, "day" if day else "month")))
    return out


def _candidate_dates(text: str, fiscal_date: re.Pattern | None = None, relative_years: dict | None = None,
                     reference_year: int | None = None, topic_year: int | None = None) -> list[DateSpan]:
    """Dates of the sentence, without the ends of ranges (「4月から翌3月まで」), and fiscal
    years that an action starts from (「平成31年度から」)."""
    dates = find_dates(text)
    if relative_years or topic_year is not None:
        dates = sorted(dates + _relative_dates(text, [(a, b) for a, b, _ in dates], relative_years or {},
                                               reference_year, topic_year), key=lambda d: d[0])
    kept = []
    for index, (start, end, date) in enumerate(dates):
        if index > 0 and RANGE_GAP.match(text[dates[index - 1][1]:start]):
            continue
        kept.append(DateSpan(start, end, date))
    for match in (fiscal_date or FISCAL_DATE).finditer(text):
        year = fiscal_year(match.group(0))
        if year and not any(d.start <= match.start() < d.end for d in kept):
            kept.append(DateSpan(match.start(), match.end(), ParsedDate(year, None, None, "year"), fiscal=True))
    return sorted(kept, key=lambda d: d.start)


def _clause_tail(text: str, end: int) -> str:
    stop = len(text)
    for mark in "、。":
        position = text.find(mark, end)
        if position != -1:
            stop = min(stop, position)
    return text[end:stop + 1]


def _first(text: str, markers) -> int:
    found = [text.find(m) for m in markers if m in text]
    return min(found) if found else -1


def _is_planned(text: str, cue: Cue, date: ParsedDate, fiscal_year: int, config: EventConfig,
                fiscal: bool = False) -> bool:
    if any(marker in text[cue.start:cue.end] for marker in config.planned_markers):
        return True  # the cue itself says so: 「稼働予定」
    tail = _clause_tail(text, cue.end)
    planned_at, past_at = _first(tail, config.planned_markers), _first(tail, config.past_markers)
    if planned_at != -1 and (past_at == -1 or planned_at < past_at):
        return True  # 「運用開始に向け」, not 「改訂されたデジタル社会の実現に向けた重点計画」
    fiscal_year_end = (fiscal_year + 1, 3, 31)
    when = (date.year, 4, 1) if fiscal else (date.year, date.month or 1, date.day or 1)
    if when > fiscal_year_end:
        return _first(text[cue.end:], config.past_markers) == -1
    if when >= (fiscal_year, 4, 1) and config.non_past_endings and _first(text[cue.end:], config.past_markers) == -1:
        # a plan's sentence about its own year: 「平成30年7月版の…改版に係るテスト…の支援を行う。」
        return text.rstrip().endswith(config.non_past_endings)
    return False


def _wording(text: str, start: int, end: int) -> str:
    piece = text[start:end].strip(" 、,")
    return re.sub(r"^(?:から|より|に|の|は|には|からは|まで)+", "", piece)


def subject_chars(wording: str, config: EventConfig) -> int:
    """How many characters of the wording say what the event is about."""
    rest = wording
    for start, end, _ in sorted(find_dates(rest), reverse=True):
        rest = rest[:start] + rest[end:]
    rest = config.cue_regex.sub("", re.sub(FISCAL_YEAR, "", rest))
    rest = re.sub(r"[\s、,。()（）「」~～:\d年月日度]|から|より|には|まで|令和|平成|[にのはがをでと]", "", rest)
    return len(rest)


ADVERBIAL_ITEM = re.compile(r"^(?:から|より)?は?[^、。]{0,10}(?:で|に|にて)、$")
TOPIC_PHRASE = re.compile(r"^(?:また|さらに|なお|加えて|特に)?、?([^、。「」()]{2,20}?)(?:について|は)、")
RIGHT_BEFORE_CUE = re.compile(r"^\)?(?:の|が|を)?$")
RELATIVE_CLAUSE = re.compile(r"^(?:が|を)?(?:開始)?(?:され|し|する|される)?た?(?:予定)?の?(?:[^、。]{0,12}による)?")
FOLLOWING_NOUN = re.compile(r"^(?:・[^、。・「」]{1,4})?(?:され|し)た([^、。()（）]{2,30}?)(?:のこと|こと)?(?=[(（、。]|$)")
QUOTED_OBJECT = re.compile(r"「([^「」]{2,40})」(?:を|の|が)?(?:[^、。「」]{1,4}・)?$")
DATE_ONLY_BRACKET = re.compile(r"^[(（](?:[^、。()（）]{1,20}[、,])?\s*$")
LIST_JOINER = re.compile(r"^(?:・|、|及び|並びに|と|や|又は)$")


class _Sentence:
    """One sentence with its mentions (catalogue, discovered and subject terms)."""

    def __init__(self, sentence, config: EventConfig, fiscal_year: int):
        self.text = sentence.text
        terms = []
        for term, entity, lower, upper in config.subject_terms:
            if (lower and fiscal_year < lower) or (upper and fiscal_year > upper):
                continue
            for match in re.finditer(re.escape(term), self.text):
                terms.append((match.start(), match.end(), entity))
        kept = [m for m in sentence.mentions if m.entity not in config.generic_entities
                and not any(a < m.end and m.start < b for a, b, _ in terms)
                and not any(self.text.startswith(w, m.end) for w in config.not_entity_after)]
        self.mentions = sorted([(m.start, m.end, m.entity) for m in kept] + terms)
        self.config = config

    def names(self, start: int, end: int) -> list[str]:
        return list(dict.fromkeys(e for a, b, e in self.mentions if start <= a and b <= end))

    def nearest_before_cue(self, start: int, cue_start: int) -> list[str]:
        """「…X(及びY)の運用を開始」: the names the cue is said of, when they stand right before it."""
        inside = [(a, b, e) for a, b, e in self.mentions if start <= a and b <= cue_start]
        if not inside or not RIGHT_BEFORE_CUE.match(self.text[inside[-1][1]:cue_start]):
            return []
        listed = [inside[-1]]
        for a, b, e in reversed(inside[:-1]):
            if not LIST_JOINER.match(self.text[b:listed[0][0]]):
                break
            listed.insert(0, (a, b, e))
        return list(dict.fromkeys(e for _, _, e in listed))

    def topics(self, end: int) -> list[str]:
        """Names before ``end`` followed by a topic particle (「機構は、」, 「…について、」)."""
        return list(dict.fromkeys(e for a, b, e in self.mentions if b <= end and any(
            self.text.startswith(p, b) for p in self.config.topic_particles)))

    def clause_subject(self, date_start: int) -> list[str]:
        """The name right before the date with a particle: 「…委員会を令和3年2月に開催した」."""
        out = []
        for a, b, e in self.mentions:
            gap = self.text[b:date_start]
            if b <= date_start and any(gap in (p, p + "、", p.rstrip("、")) for p in self.config.clause_particles):
                out.append(e)
        return out

    def whole(self, start: int, end: int) -> list[str]:
        """The name that is all of text[start:end] (a quoted name that is a catalogue name)."""
        return [e for a, b, e in self.mentions if a == start and b == end]

    def right_before(self, position: int) -> list[str]:
        return [e for a, b, e in self.mentions if b == position]

    def head_noun(self, cue_end: int) -> list[str]:
        """The noun a cue's relative clause modifies: 「本格運用が開始された⟨情報連携⟩」."""
        for a, b, e in self.mentions:
            if a >= cue_end:
                gap = self.text[cue_end:a]
                match = RELATIVE_CLAUSE.match(gap)
                return [e] if match and match.end() == len(gap) else []
        return []


def _after_cue_end(text: str, end: int) -> int:
    """Where a name after the cue may still be what the event is about: the rest of the
    cue's clause, and the next clause when this one is a purpose (「…の運用開始に向け、
    次期LGWANの構築を開始した」)."""
    stop = _clause_end(text, end)
    if re.search(r"に向け(?:て)?、$", text[end:stop + 1]):
        stop = _clause_end(text, stop + 1)
    return stop


def _after_boundary(text: str, start: int, end: int, boundaries) -> int:
    """Where the clause of ``end`` begins: after the last of ``boundaries`` (「…ため、」,
    「…とともに、」) between ``start`` and ``end``; names before it are another clause's."""
    best = start
    for word in boundaries:
        position = text.rfind(word, start, end)
        if position != -1:
            best = max(best, position + len(word))
    return best


def _clause_end(text: str, start: int) -> int:
    positions = [p for p in (text.find("、", start), text.find("。", start)) if p != -1]
    return min(positions) if positions else len(text)


def fiscal_topic_of(text: str, config: EventConfig, end: int | None = None):
    """The last fiscal year the text (up to ``end``) makes its topic: 「令和2年度においては、」."""
    if config.fiscal_topic is None:
        return None
    found = [m for m in config.fiscal_topic.finditer(text) if end is None or m.end() <= end]
    return found[-1] if found else None


def note_subject(sentence, config: EventConfig) -> list[str]:
    """The first name of a sentence when it is the subject (「日本年金機構が…」)."""
    mentions = sorted(sentence.mentions, key=lambda m: m.start)
    if not mentions or sentence.text[:mentions[0].start].strip("「『 ・-"):
        return []
    first = mentions[0]
    if first.entity in config.generic_entities:
        return []
    return [first.entity] if any(sentence.text.startswith(p, first.end) for p in config.note_subject_particles) else []


def _is_note(text: str) -> bool:
    """A sentence that is one bracketed note: 「(平成30年3月より開始予定)」."""
    body = text.strip().rstrip("。")
    return len(body) > 2 and body[0] in OPEN and body[-1] in CLOSE and _brackets(body)[-1] == 0


def events_in_sentence(sentence, config: EventConfig, fiscal_year: int,
                       heading_systems: tuple[str, ...] = (), reference_year: int | None = None,
                       block_topic_year: int | None = None, previous_subject: tuple[str, ...] = ()) -> list[FoundEvent]:
    """The events of one sentence (see events.yaml for the rules).

    ``reference_year``: the year the document was written (for 「昨年」); ``block_topic_year``:
    the fiscal year an earlier sentence of the paragraph made its topic; ``previous_subject``:
    the subject of the sentence before (for a sentence that is a bracketed note)."""
    text = sentence.text
    found_titles = _dated_titles(sentence, config)
    cues = find_cues(text, config)
    if not cues:
        return found_titles + _start_after_date(sentence, config, fiscal_year, [])
    topic = fiscal_topic_of(text, config)
    topic_year = fiscal_year_from(topic.group(1)) if topic else block_topic_year
    dates = _candidate_dates(text, config.fiscal_date, config.relative_years, reference_year, topic_year)
    owner = _brackets(text)
    s = _Sentence(sentence, config, fiscal_year)
    is_note = _is_note(text)
    topic_phrase = TOPIC_PHRASE.match(text)
    if topic_phrase and (find_dates(topic_phrase.group(1)) or FISCAL_DATE.search(topic_phrase.group(1) + "に")
                         or "年度" in topic_phrase.group(1)):
        topic_phrase = None
    found: list[FoundEvent] = []
    previous_end = 0
    previous_events: list[FoundEvent] = []

    def make(cue: Cue, date: DateSpan, concerned: list[str], wording: str, start: int) -> FoundEvent | None:
        concerned = list(dict.fromkeys(concerned))
        if not concerned and is_note and previous_subject:
            concerned = list(previous_subject)
        if not concerned:
            following = FOLLOWING_NOUN.match(text[cue.end:])
            if following:
                wording = f"{wording}{text[cue.end:cue.end + following.end(1)]}"
            if topic_phrase and topic_phrase.end() <= start:
                wording = f"{topic_phrase.group(1)} {wording}"
            if subject_chars(wording, config) < config.min_subject_chars:
                return None
        planned = _is_planned(text, cue, date.date, fiscal_year, config, date.fiscal)
        return FoundEvent(type=("planned-" if planned else "") + cue.type.type, base=cue.type, date=date.date,
                          concerned=tuple(concerned), wording=wording, start=start, end=cue.end,
                          planned=planned, fiscal=date.fiscal)

    for cue in cues:
        bracket = owner[cue.start]
        region_start = previous_end if bracket == -1 else max(previous_end, bracket)
        in_region = [d for d in dates
                     if d.start >= region_start and d.end <= cue.start and owner[d.start] == bracket
                     and cue.start - d.end <= cue.max_distance
                     and (not cue.after_date or text.startswith(cue.after_date, d.end))]
        events_here: list[FoundEvent] = []
        if in_region:
            # Several dates before one cue: each is an event («A from d1, B from d2, started»)
            # when what stands between them is a coordinated item.
            chain = [in_region[-1]]
            for d in reversed(in_region[:-1]):
                between = text[d.end:chain[0].start]
                if COORDINATION_GAP.match(between) or ADVERBIAL_ITEM.match(between) or s.names(d.end, chain[0].start):
                    chain.insert(0, d)
                else:
                    break
            shared = s.topics(chain[0].start) + s.clause_subject(chain[0].start)
            if bracket != -1:
                shared = s.topics(bracket) + s.right_before(bracket)
            agents = _agents(s, text, chain[0].start, cue)
            quoted = QUOTED_OBJECT.search(text, chain[-1].end, cue.start)
            quoted = quoted if quoted and quoted.end() == cue.start else None
            for index, d in enumerate(chain):
                last = index + 1 == len(chain)
                sub_end = cue.start if last else chain[index + 1].start
                own = (s.nearest_before_cue(d.start, cue.start) if last else []) or s.names(d.start, sub_end)
                if not own and not last:
                    own = s.nearest_before_cue(chain[-1].end, cue.start) or s.names(chain[-1].end, cue.start)
                if cue.object_only:
                    shared, own = [], s.nearest_before_cue(d.start, cue.start)
                if quoted is not None and last:
                    # 「…「有効期限切れ通知」を印刷・発送し」: the quoted name is what the cue is about
                    shared, own = [], s.whole(quoted.start(1), quoted.end(1))
                concerned = [e for e in shared + own if e not in agents]
                if not concerned:
                    concerned = s.head_noun(cue.end)
                if cue.object_only or quoted is not None or agents:
                    concerned = [e for e in concerned if e not in agents]
                    event = _make_plain(make, cue, d, concerned, text, quoted, last, sub_end, region_start)
                    if event:
                        events_here.append(event)
                    continue
                if not concerned and previous_events and re.fullmatch(r"[、,\s]*(?:また、?)?", text[previous_end:d.start]):
                    # 「平成29年7月から情報連携の試行運用、同年11月から本格運用」: the same subject
                    concerned = list(previous_events[-1].concerned)
                if not concerned and bracket == -1:
                    clause_start = _after_boundary(text, region_start, d.start, config.clause_boundaries)
                    concerned = s.names(clause_start, cue.start) or s.names(cue.end, _after_cue_end(text, cue.end))
                if not concerned and cue.type.type != "meeting" and bracket == -1:
                    concerned = list(heading_systems)
                wording_start = d.start
                if bracket != -1:
                    before = re.search(r"[^、。をにのはがでと「」()]{1,30}$", text[:bracket])
                    wording_start = before.start() if before else bracket
                elif text[:d.start].rstrip("をはが、").endswith("」"):
                    quote = text.rfind("「", region_start, d.start)
                    wording_start = quote if quote != -1 else d.start
                wording = _wording(text, wording_start, cue.end if last else sub_end)
                if bracket != -1 and cue.end < len(text) and text[cue.end] in CLOSE:
                    wording += text[cue.end]
                if not last:
                    wording = f"{wording} {text[cue.start:cue.end]}"
                event = make(cue, d, concerned, wording, min(d.start, wording_start))
                if event:
                    events_here.append(event)
        elif topic is not None and topic.start() == 0 and bracket == -1 and not (
                previous_events and len(text[previous_end:cue.start].strip(" 、,しておりまた")) <= 2):
            # 「平成28年度は、…個人番号センターを設置する。」: a plan for the year of the topic
            span = DateSpan(topic.start(1), topic.end(1), ParsedDate(topic_year, None, None, "year"), fiscal=True)
            own = s.nearest_before_cue(previous_end, cue.start)
            if own and _is_planned(text, cue, ParsedDate(topic_year, 4, 1, "day"), fiscal_year, config):
                event = make(cue, span, own, _wording(text, topic.start(1), cue.end), topic.start(1))
                if event:
                    events_here.append(event)
        elif previous_events and len(text[previous_end:cue.start].strip(" 、,しておりまた")) <= 2 \
                and owner[cue.start] == owner[max(previous_end - 1, 0)]:
            # 「構築が完了し、稼働開始した」: the second cue shares the first one's date and names.
            for prev in previous_events:
                span = DateSpan(prev.start, prev.start, prev.date, prev.fiscal)
                event = make(cue, span, list(prev.concerned), _wording(text, prev.start, cue.end), prev.start)
                if event:
                    events_here.append(event)
        found.extend(events_here)
        if events_here:
            previous_events = events_here
            previous_end = cue.end
    return found + found_titles + _start_after_date(sentence, config, fiscal_year, found)


def fiscal_year_from(text: str) -> int | None:
    return fiscal_year(text)


def _agents(s: "_Sentence", text: str, start: int, cue: Cue) -> set[str]:
    """Names between ``start`` and a transitive cue marked as who did it (「内閣官房、総務省等が策定」),
    with the names listed with them."""
    if not cue.type.agents:
        return set()
    inside = [(a, b, e) for a, b, e in s.mentions if start <= a and b <= cue.start]
    for index in range(len(inside) - 1, -1, -1):
        a, b, e = inside[index]
        if any(text.startswith(w, b) for w in cue.type.agents):
            listed = {e}
            for pa, pb, pe in reversed(inside[:index]):
                if not LIST_JOINER.match(text[pb:a]):
                    break
                listed.add(pe)
                a = pa
            return listed
    return set()


def _make_plain(make, cue: Cue, d: DateSpan, concerned, text: str, quoted, last: bool, sub_end: int,
                region_start: int):
    """An event whose subject is only what the cue itself is said of: the quoted name before
    it, the names right before it, or (for a transitive cue) the noun its clause modifies."""
    if quoted is not None and not concerned:
        wording = text[quoted.start():cue.end]
        return make(cue, d, [], wording, d.start)
    wording = _wording(text, d.start, cue.end if last else sub_end)
    return make(cue, d, concerned, wording, d.start)


def _dated_titles(sentence, config: EventConfig) -> list[FoundEvent]:
    """「第1次情報セキュリティ基本計画（平成18年2月2日）」: a title dated by the bracket after it."""
    if not config.dated_titles:
        return []
    text = sentence.text
    out = []
    for start, end, date in find_dates(text):
        open_at = text.rfind("(", 0, start)
        open_at = max(open_at, text.rfind("（", 0, start))
        if open_at == -1 or not DATE_ONLY_BRACKET.match(text[open_at:start]):
            continue
        rest = text[end:]
        close = re.match(r"^(?:[(（][^()（）]{1,12}[)）])?[)）]", rest)
        if not close:
            continue
        head = text[:open_at]
        if head.endswith("」"):
            title_start = head.rfind("「")
            if title_start == -1:
                continue
            title = head[title_start + 1:-1]
        else:
            cut = max(head.rfind(c) for c in "、。(（ ")
            title_start = cut + 1
            title = head[title_start:]
        if not 2 <= len(title) <= 40:
            continue
        kind = next((t for suffix, t in config.dated_titles if title.endswith(suffix)), None)
        if kind is None or kind not in config.types:
            continue
        base = config.types[kind]
        title_end = open_at - (1 if head.endswith("」") else 0)
        concerned = tuple(m.entity for m in sentence.mentions
                          if m.end == title_end and m.start >= title_start and m.entity not in config.generic_entities)
        out.append(FoundEvent(type=base.type, base=base, date=date, concerned=concerned[-1:], wording=title,
                              start=title_start, end=end + close.end(), planned=False))
    return out


def _start_after_date(sentence, config: EventConfig, fiscal_year: int, found) -> list[FoundEvent]:
    """「令和2年9月からのマイナポイントによる…」: the start of the system named right after the date."""
    rule = config.start_after_date
    if not rule or rule.get("type") not in config.types:
        return []
    text, words, kinds = sentence.text, _strings(rule.get("words")), set(_strings(rule.get("kinds")))
    base = config.types[rule["type"]]
    taken = {(e.date.iso(), e.concerned) for e in found}
    out = []
    for start, end, date in find_dates(text):
        word = next((w for w in words if text.startswith(w, end)), None)
        if word is None:
            continue
        at = end + len(word)
        named = [m for m in sentence.mentions if m.start == at and kind_of(m.entity) in kinds
                 and m.entity not in config.generic_entities]
        if not named or (date.iso(), (named[0].entity,)) in taken:
            continue
        cue = Cue(at, named[0].end, base)
        planned = _is_planned(text, cue, date, fiscal_year, config)
        out.append(FoundEvent(type=("planned-" if planned else "") + base.type, base=base, date=date,
                              concerned=(named[0].entity,), wording=text[start:named[0].end], start=start,
                              end=named[0].end, planned=planned))
    return out


# ───────────────────────── the extractor ─────────────────────────

def event_label(event: FoundEvent, context, finder, lang: str) -> str:
    """「平成14年8月 住民基本台帳ネットワークシステム 運用開始」 / "2002-08 operation start: …"."""
    if lang == "en":
        kind = ("planned " if event.planned else "") + event.base.en
        when = f"FY{event.date.year}" if event.fiscal else event.date.iso()
        subject = "; ".join(label_of(e, context, finder, "en") for e in event.concerned) or event.wording
        return f"{when} {kind}: {subject}"
    when = fiscal_year_wareki(event.date.year) if event.fiscal else event.date.wareki()
    planned = "(予定)" if event.planned else ""
    if event.concerned:
        subject = "・".join(label_of(e, context, finder, "ja") for e in event.concerned)
        return f"{when} {subject} {event.base.ja}{planned}"
    wording = event.wording
    leading = [d for d in find_dates(wording) if d[0] == 0] or \
        [(m.start(), m.end(), None) for m in re.finditer(FISCAL_YEAR, wording) if m.start() == 0]
    if leading:
        wording = re.sub(r"^[:：]?(?:中に|中の|から|より|に|の|は|には|からは)?", "", wording[leading[0][1]:])
    return f"{when} {wording}{planned}"


def fiscal_year_wareki(year: int) -> str:
    """令和2年度 for 2020: the era of the fiscal year's first day (平成31年度 for 2019)."""
    first_day = ParsedDate(year, 4, 1, "day").wareki()
    return first_day[: first_day.index("年") + 1] + "度"


def event_node(event: FoundEvent) -> str:
    kind = f"fy:{event.type}" if event.fiscal else event.type
    return event_id(kind, event.date, event.concerned, event.wording)


def event_facts(event: FoundEvent, ev: Evidence, context, finder) -> list[Fact]:
    node = event_node(event)
    facts = [
        Fact(node, "rdf:type", "jlis:Event", ev),
        Fact(node, "jlis:eventType", event.type, ev, literal=True),
        date_fact(node, event.date, ev),
        Fact(node, "skos:prefLabel", event_label(event, context, finder, "ja"), ev, literal=True, lang="ja"),
        Fact(node, "skos:prefLabel", event_label(event, context, finder, "en"), ev, literal=True, lang="en"),
    ]
    if event.fiscal:
        facts.append(Fact(node, "jlis:fiscalYear", event.date.year, ev, literal=True))
    facts += [Fact(node, "jlis:concerns", entity, ev) for entity in event.concerned]
    return facts


def _heading_systems(trail, finder: MentionFinder) -> tuple[str, ...]:
    from . import heading_block

    for section in reversed(trail):
        if section.level == 0:
            continue
        systems = [m.entity for m in finder.find(heading_block(section)) if kind_of(m.entity) in SYSTEM_LIKE]
        if systems:
            return tuple(dict.fromkeys(systems))
    return ()


def extract_events(doc, structure, finder: MentionFinder, context, fiscal_year: int, extraction) -> list[Fact]:
    from . import evidence, footnote_block

    config = config_for(context)
    reference_year = document_year(doc, context)
    facts: list[Fact] = []
    blocks: list[tuple[Block, tuple]] = [(b, trail) for b, trail in structure.blocks() if b.kind != "heading"]
    blocks += [(footnote_block(f), ()) for f in structure.footnotes]
    previous_block: tuple[Block, tuple, list] | None = None  # the last paragraph and its undated cues
    for block, trail in blocks:
        heading_systems = None
        labelled = _date_label_event(block, trail, previous_block, config, fiscal_year, finder)
        if labelled is not None:
            event, quote = labelled
            ev = evidence(doc, block, event.start, event.end, quote)
            facts.extend(event_facts(event, ev, context, finder))
            continue
        topic_year = None
        subject: tuple[str, ...] = ()
        undated = []
        for sentence in finder.sentences(block):
            if config.cue_regex.search(sentence.text) or config.dated_titles or config.start_after_date:
                if heading_systems is None:
                    heading_systems = _heading_systems(trail, finder)
                found = events_in_sentence(sentence, config, fiscal_year, heading_systems, reference_year,
                                           topic_year, subject)
                for event in found:
                    ev = evidence(doc, block, sentence.offset + event.start, sentence.offset + event.end, sentence.text)
                    facts.extend(event_facts(event, ev, context, finder))
                undated += [(sentence, cue) for cue in find_cues(sentence.text, config)
                            if not any(e.end == cue.end for e in found)]
            topic = fiscal_topic_of(sentence.text, config)
            if topic is not None:
                topic_year = fiscal_year_from(topic.group(1))
            subject = tuple(note_subject(sentence, config)) or (subject if _is_note(sentence.text) else ())
        previous_block = (block, trail, undated)
    facts.extend(_section_events(doc, structure, context, config, finder))
    return facts


DATE_LABEL = re.compile(r"^[・\-\s]*([^\s:：・]{2,8})\s*[:：]\s*")


def _date_label_event(block, trail, previous_block, config: EventConfig, fiscal_year: int, finder):
    """「・開催月日：令和 3 年 1 月 12 日（火）」 after 「…特別講演を開催した。」: the date of that cue."""
    label = DATE_LABEL.match(block.text)
    if not label or label.group(1) not in config.date_labels or previous_block is None:
        return None
    kind = config.date_labels[label.group(1)]
    dates = find_dates(block.text)
    if not dates or dates[0][0] != label.end():
        return None
    _, previous_trail, undated = previous_block
    if tuple(previous_trail) != tuple(trail):
        return None
    cues = [(sentence, cue) for sentence, cue in undated if cue.type.type == kind]
    if not cues:
        return None
    sentence, cue = cues[-1]
    s = _Sentence(sentence, config, fiscal_year)
    concerned = tuple(s.nearest_before_cue(0, cue.start))
    date = dates[0][2]
    wording = sentence.text[:cue.end].strip()
    event = FoundEvent(type=cue.type.type, base=cue.type, date=date, concerned=concerned, wording=wording,
                       start=dates[0][0], end=dates[0][1], planned=False)
    return event, f"{sentence.text} {block.text}"


@lru_cache(maxsize=8)
def _manifest_dates(data_dir: Path) -> dict:
    from ..sources import read_manifest

    try:
        return {entry.id: entry.date or entry.as_of for entry in read_manifest(data_dir)}
    except (InputError, OSError):
        return {}


def document_year(doc, context) -> int | None:
    """The year the document was written, for 「昨年」: its manifest ``date``, else the
    day-precise date on its cover page; None when neither is known."""
    data_dir = Path(context.catalogue.path).parent.parent
    known = _manifest_dates(data_dir).get(doc.doc_id)
    if known is not None:
        return known.year
    content = [line for line in doc.lines if line.role == "content"][:12]
    for line in content:
        for _, _, date in find_dates(line.text):
            if date.precision == "day":
                return date.year
    return None


def _section_events(doc, structure, context, config: EventConfig, finder) -> list[Fact]:
    from . import evidence

    facts = []
    rules = {match_form(str(rule.get("title", ""))): rule for rule in config.section_events}
    for section in structure.sections():
        rule = rules.get(match_form(section.title))
        if rule is None or rule.get("type") not in config.types:
            continue
        for block in section.blocks:
            dates = find_dates(block.text)
            if not dates:
                continue
            start, end, date = dates[0]
            concerned = (context.agency,) if rule.get("concerns") == "agency" else ()
            base = config.types[rule["type"]]
            event = FoundEvent(type=base.type, base=base, date=date, concerned=concerned,
                               wording=f"{section.title} {block.text[start:end]}", start=start, end=end,
                               planned=False)
            ev = evidence(doc, block, start, end, f"{section.title}: {block.text}")
            facts.extend(event_facts(event, ev, context, finder))
            break
    return facts
