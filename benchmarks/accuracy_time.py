"""Recall and precision of the time-related extraction: events, meetings, people and posts.

    python benchmarks/accuracy_time.py [--nq build/jlis.nq] [--unreviewed]

RECALL ("found").  Three hand-written gold sets, each written from the source texts alone
(see the header of each file):

- ``tests/gold/events.yaml``: a gold event is found when some ``jlis:Event`` has its
  ``dcterms:date`` (same ISO literal: same precision), its ``jlis:eventType`` (or one the
  item ``accept``s; the ``planned-`` prefix exactly when the item is ``planned``), concerns
  an entity carrying one of the item's ``concerns`` names (or, failing that, has all of
  its ``words`` in its Japanese label), and has evidence (an ``rdf:Statement`` about it)
  in the named graph of the item's document;
- ``tests/gold/meetings.yaml``: a gold meeting is found when some ``jlis:Meeting`` is
  ``jlis:meetingOf`` a committee with that name, with that ``jlis:sessionNumber`` (when
  the item has one) and ``dcterms:date``; its agenda is right when it has as many
  ``jlis:agendaItem`` values as the item says; ``presents`` is right when each document
  listed is ``jlis:presentedAt`` that meeting;
- ``tests/gold/people.yaml``: a post holder is found when an ``org:Membership`` in the
  named graph of a document of that fiscal year links a ``foaf:Person`` of that name
  (``org:member``) to the organisation (``org:organization``) with the role
  (``org:role`` labelled with the role word).

Names match as in benchmarks/accuracy.py: NFKC, whitespace removed, against
``skos:prefLabel`` / ``skos:altLabel`` / ``rdfs:label`` (``foaf:name`` for people).
Every miss is listed with a diagnosis: what the graph holds instead (an event on that date
of another type, the same type on another date, a meeting with another session number …).

PRECISION ("right").  Meetings and memberships: the gold sets are complete lists of the
tables, so every extracted meeting / membership of the documents is checked against them
(an extracted one that matches no gold item is wrong).  Events: the gold set is not the
only correct reading of the text, so an extracted event is right when it matches a gold
event, or when ``tests/gold/events_review.yaml`` (event IRI → correct, reason, judged from
its quote) says so; the events nobody reviewed are listed (``--unreviewed``).
"""
from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, RDF

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

if "jlis_accuracy" in sys.modules:
    accuracy = sys.modules["jlis_accuracy"]
else:
    _spec = importlib.util.spec_from_file_location("jlis_accuracy", Path(__file__).with_name("accuracy.py"))
    accuracy = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = accuracy
    _spec.loader.exec_module(accuracy)

from jlis_kg.namespaces import GRAPH, JLIS  # noqa: E402

norm = accuracy.norm
GOLD = ROOT / "tests" / "gold"
GOLD_EVENTS = GOLD / "events.yaml"
GOLD_MEETINGS = GOLD / "meetings.yaml"
GOLD_PEOPLE = GOLD / "people.yaml"
EVENTS_REVIEW = GOLD / "events_review.yaml"
KINDS = ("event", "meeting", "agenda", "presented", "person")


# ----------------------------------------------------------------------------- gold sets

def _load(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def load_gold() -> dict[str, list[dict]]:
    events, meetings, people = _load(GOLD_EVENTS), _load(GOLD_MEETINGS), _load(GOLD_PEOPLE)
    for i, item in enumerate(events):
        for key in ("doc", "line", "date", "type"):
            if key not in item:
                raise ValueError(f"{GOLD_EVENTS}: event {i}: no {key}")
        if not item.get("concerns") and not item.get("words") and item.get("concerns") != []:
            raise ValueError(f"{GOLD_EVENTS}: event {i}: needs concerns or words")
    for i, item in enumerate(meetings):
        for key in ("doc", "line", "committee", "date"):
            if key not in item:
                raise ValueError(f"{GOLD_MEETINGS}: meeting {i}: no {key}")
    for i, item in enumerate(people):
        for key in ("doc", "line", "year", "organization", "role", "name"):
            if key not in item:
                raise ValueError(f"{GOLD_PEOPLE}: person {i}: no {key}")
    return {"event": events, "meeting": meetings, "person": people}


def _anchors(kind: str, item: dict) -> list[str]:
    extra = [item["anchor"]] if item.get("anchor") else []
    if kind == "event":
        pieces = [p for p in re.split(r"[…/]|\.\.\.", item.get("quote", "")) if len(p.strip()) >= 4]
        return extra + list(item.get("words") or []) + list(item.get("concerns") or []) + pieces[:1]
    if kind == "meeting":
        return extra + [item["committee"], f"第{item['session']}回" if item.get("session") else item["committee"]]
    return extra + [item["name"]]


def citation_problems(gold: dict[str, list[dict]], lines: dict[str, list[str]], window: int = 14) -> list[str]:
    """Gold items whose cited line (and the lines around it) say none of their anchors: the
    concerned names, words or the start of the quote; the committee; the person's name."""
    def clean(text: str) -> str:
        return re.sub(r"<sup>.*?</sup>|[¹²³⁴⁵⁶⁷⁸⁹⁰「」]", "", norm(text))
    problems = []
    for kind, items in gold.items():
        for item in items:
            doc = lines.get(item["doc"])
            if doc is None:
                problems.append(f"{kind} {item['doc']}: unknown document")
                continue
            i = item["line"] - 1
            if not 0 <= i < len(doc):
                problems.append(f"{kind} {item['doc']}:{item['line']}: no such line")
                continue
            text = clean("".join(doc[max(0, i - 8):i + window]))
            anchors = [clean(a) for a in _anchors(kind, item) if a]
            if not any(a and a in text for a in anchors):
                problems.append(f"{kind} {item['doc']}:{item['line']}: none of {anchors} near the cited line")
    return problems


# ----------------------------------------------------------------------------- graph index

@dataclass
class Evented:
    types: set[str] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)
    concerns: set[URIRef] = field(default_factory=set)
    labels_ja: set[str] = field(default_factory=set)
    sources: set[tuple[str, int]] = field(default_factory=set)  # (document id, line)
    quotes: dict[tuple[str, int], str] = field(default_factory=dict)


@dataclass
class MeetingNode:
    committees: set[URIRef] = field(default_factory=set)
    sessions: set[int] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)
    agenda: set[str] = field(default_factory=set)
    graphs: set[str] = field(default_factory=set)


@dataclass
class TimeIndex:
    names: "accuracy.GraphIndex"
    events: dict[URIRef, Evented]
    meetings: dict[URIRef, MeetingNode]
    presented: dict[str, set[URIRef]]  # document id → meetings
    memberships: list[tuple[str, URIRef, URIRef, URIRef]]  # (graph doc id, person, organisation, role)
    person_names: dict[URIRef, set[str]]
    doc_year: dict[str, int]

    @classmethod
    def build(cls, dataset: Dataset, names=None) -> "TimeIndex":
        names = names or accuracy.GraphIndex.build(dataset)
        events: dict[URIRef, Evented] = defaultdict(Evented)
        meetings: dict[URIRef, MeetingNode] = defaultdict(MeetingNode)
        presented: dict[str, set[URIRef]] = defaultdict(set)
        members: dict[tuple[URIRef, str], dict] = defaultdict(dict)
        person_names: dict[URIRef, set[str]] = defaultdict(set)
        statements: dict[tuple[URIRef, str], dict] = defaultdict(dict)
        for s, p, o, g in dataset.quads((None, None, None, None)):
            graph = accuracy._gid(g)
            doc = str(graph).rsplit("/", 1)[-1] if graph is not None and str(graph).startswith(str(GRAPH)) else ""
            if p == RDF.type and o == JLIS.Event:
                events[s]
            elif p == RDF.type and o == JLIS.Meeting:
                meetings[s].graphs.add(doc)
            elif p == JLIS.eventType:
                events[s].types.add(str(o))
            elif p == JLIS.meetingOf:
                meetings[s].committees.add(o)
            elif p == JLIS.sessionNumber:
                meetings[s].sessions.add(int(o))
            elif p == JLIS.agendaItem:
                meetings[s].agenda.add(str(o))
            elif p == JLIS.presentedAt:
                presented[str(s).rsplit("/", 1)[-1]].add(o)
            elif p == FOAF.name:
                person_names[s].add(norm(o))
            elif p in (ORG.member, ORG.organization, ORG.role) and "/membership/" in str(s):
                members[(s, doc)][p] = o
            elif p in (RDF.subject, JLIS.sourceLine, JLIS.quote) and "/statement/" in str(s):
                statements[(s, doc)][p] = o
            if p == DCTERMS.date and isinstance(o, Literal):
                # events and meetings are told apart once every type is known
                events.setdefault(s, Evented()).dates.add(str(o))
            if p == JLIS.concerns:
                events.setdefault(s, Evented()).concerns.add(o)
        typed_events = {s for s in events if events[s].types}
        for s in list(events):
            if s in meetings:
                meetings[s].dates |= events[s].dates
            if s not in typed_events:
                del events[s]
        for s, e in events.items():
            e.labels_ja = {label for label in names.labels.get(s, ())}
        for (statement, doc), values in statements.items():
            subject = values.get(RDF.subject)
            if subject in events and JLIS.sourceLine in values:
                key = (doc, int(values[JLIS.sourceLine]))
                events[subject].sources.add(key)
                if JLIS.quote in values:
                    events[subject].quotes[key] = str(values[JLIS.quote])
        memberships = [(doc, v.get(ORG.member), v.get(ORG.organization), v.get(ORG.role))
                       for (s, doc), v in members.items() if len(v) == 3]
        doc_year = {str(g).rsplit("/", 1)[-1]: y for g, y in names.graph_year.items()}
        return cls(names, dict(events), dict(meetings), dict(presented), memberships, dict(person_names), doc_year)

    def named(self, node: URIRef, wanted) -> bool:
        labels = {norm(label) for label in self.names.labels.get(node, ())}
        return any(norm(w) in labels for w in wanted)


# ----------------------------------------------------------------------------- checks

@dataclass
class Outcome:
    kind: str
    item: dict
    found: bool
    cause: str = ""
    detail: str = ""
    node: URIRef | None = None


def describe(kind: str, item: dict) -> str:
    where = f"{item['doc']}:{item['line']}"
    if kind == "event":
        what = "、".join(item.get("concerns") or []) or "+".join(item.get("words") or [])
        planned = "planned-" if item.get("planned") else ""
        return f"{where} {item['date']} {planned}{item['type']} {what}"
    if kind in ("meeting", "agenda", "presented"):
        session = f"第{item['session']}回" if item.get("session") else "(no number)"
        return f"{where} {item['committee']} {session} {item['date']}"
    return f"{where} FY{item['year']} {item['organization']} {item['role']} {item['name']}"


def _type_ok(item: dict, types: set[str]) -> bool:
    wanted = {item["type"], *item.get("accept", [])}
    prefix = "planned-" if item.get("planned") else ""
    return any(t == prefix + w for t in types for w in wanted)


def _subject_ok(index: TimeIndex, item: dict, event: Evented) -> bool:
    concerns = item.get("concerns") or []
    if concerns and any(index.named(c, concerns) for c in event.concerns):
        return True
    words = item.get("words") or []
    if words and any(all(norm(w) in norm(label) for w in words) for label in event.labels_ja):
        return True
    return not concerns and not words


def event_matches(index: TimeIndex, item: dict, node: URIRef) -> bool:
    event = index.events[node]
    return (item["date"] in event.dates and _type_ok(item, event.types) and _subject_ok(index, item, event)
            and any(doc == item["doc"] for doc, _ in event.sources))


def _event_text(index: TimeIndex, node: URIRef) -> str:
    e = index.events[node]
    label = sorted(e.labels_ja)[0] if e.labels_ja else str(node)
    return f"{'/'.join(sorted(e.dates))} {'/'.join(sorted(e.types))} «{label}»"


def check_event(index: TimeIndex, item: dict) -> Outcome:
    for node in index.events:
        if event_matches(index, item, node):
            return Outcome("event", item, True, node=node)
    in_doc = {n: e for n, e in index.events.items() if any(d == item["doc"] for d, _ in e.sources)}
    same_date = [n for n, e in in_doc.items() if item["date"] in e.dates]
    typed = [n for n in same_date if _type_ok(item, in_doc[n].types)]
    if typed:
        return Outcome("event", item, False, "wrong-subject",
                       "; ".join(_event_text(index, n) + " concerns " +
                                 ", ".join(index.names.label(c) for c in sorted(index.events[n].concerns))
                                 for n in typed))
    subject = [n for n, e in in_doc.items() if _subject_ok(index, item, e) and (item.get("concerns") or item.get("words"))]
    near = [n for n in subject if _type_ok(item, in_doc[n].types)]
    if near:
        return Outcome("event", item, False, "wrong-date", "; ".join(_event_text(index, n) for n in near))
    if same_date:
        return Outcome("event", item, False, "wrong-type", "; ".join(_event_text(index, n) for n in same_date))
    on_line = [n for n, e in in_doc.items() if any(abs(line - item["line"]) <= 2 for d, line in e.sources if d == item["doc"])]
    if on_line:
        return Outcome("event", item, False, "other-event", "; ".join(_event_text(index, n) for n in on_line))
    anywhere = [n for n in index.events if item["date"] in index.events[n].dates
                and _type_ok(item, index.events[n].types) and _subject_ok(index, item, index.events[n])]
    if anywhere:
        return Outcome("event", item, False, "not-from-document",
                       "; ".join(_event_text(index, n) + " from " + ", ".join(f"{d}:{l}" for d, l in sorted(index.events[n].sources))
                                 for n in anywhere))
    return Outcome("event", item, False, "missing", "no event of the document near that line or on that date")


def _meeting_candidates(index: TimeIndex, item: dict) -> list[URIRef]:
    return [n for n, m in index.meetings.items() if any(index.named(c, [item["committee"]]) for c in m.committees)]


def check_meeting(index: TimeIndex, item: dict) -> list[Outcome]:
    candidates = _meeting_candidates(index, item)
    session = item.get("session")
    exact = [n for n in candidates if item["date"] in index.meetings[n].dates
             and (session is None or session in index.meetings[n].sessions)]
    out = []
    if exact:
        node = exact[0]
        out.append(Outcome("meeting", item, True, node=node))
        if item.get("agenda") is not None:
            got = len(index.meetings[node].agenda)
            out.append(Outcome("agenda", item, got == item["agenda"], "" if got == item["agenda"] else "agenda-count",
                               f"{got} agenda items, expected {item['agenda']}: {sorted(index.meetings[node].agenda)}", node))
    else:
        by_date = [n for n in candidates if item["date"] in index.meetings[n].dates]
        by_session = [n for n in candidates if session is not None and session in index.meetings[n].sessions]
        if by_date:
            cause, nodes = "wrong-session", by_date
        elif by_session:
            cause, nodes = "wrong-date", by_session
        else:
            others = [n for n, m in index.meetings.items() if item["date"] in m.dates]
            cause, nodes = ("wrong-committee", others) if others else ("missing", [])
        detail = "; ".join(f"{n.rsplit('/', 1)[-1]} {sorted(index.meetings[n].sessions)} {sorted(index.meetings[n].dates)} of "
                           + ",".join(index.names.label(c) for c in index.meetings[n].committees) for n in nodes) \
            or "no meeting of that committee on that date"
        out.append(Outcome("meeting", item, False, cause, detail))
        if item.get("agenda") is not None:
            out.append(Outcome("agenda", item, False, "no-meeting", "the meeting is missing"))
        node = None
    for doc in item.get("presents") or []:
        at = index.presented.get(doc, set())
        ok = node is not None and node in at
        out.append(Outcome("presented", item, ok, "" if ok else "not-presented-at",
                           f"{doc} jlis:presentedAt {sorted(str(m).rsplit('/', 1)[-1] for m in at) or 'nothing'}", node))
    return out


def check_person(index: TimeIndex, item: dict) -> Outcome:
    name = norm(item["name"])
    docs = {d for d, y in index.doc_year.items() if y == item["year"]}
    people = {p for p, names in index.person_names.items() if name in names}
    if not people:
        return Outcome("person", item, False, "unknown-person", f"no foaf:Person named {item['name']}")
    held = [(d, o, r) for d, p, o, r in index.memberships if p in people]
    for d, o, r in held:
        if d in docs and index.named(o, [item["organization"]]) and index.named(r, [item["role"]]):
            return Outcome("person", item, True)
    detail = "; ".join(f"{d}: {index.names.label(o)} / {index.names.label(r)}" for d, o, r in held) or "no membership"
    return Outcome("person", item, False, "wrong-post", detail)


def evaluate(dataset: Dataset, gold: dict | None = None, index: TimeIndex | None = None) -> list[Outcome]:
    gold = gold or load_gold()
    index = index or TimeIndex.build(dataset)
    outcomes = [check_event(index, item) for item in gold["event"]]
    for item in gold["meeting"]:
        outcomes.extend(check_meeting(index, item))
    outcomes.extend(check_person(index, item) for item in gold["person"])
    return outcomes


def recall_by_kind(outcomes: list[Outcome]) -> dict[str, tuple[int, int]]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for o in outcomes:
        counts[o.kind][1] += 1
        counts[o.kind][0] += int(o.found)
    return {k: tuple(counts[k]) for k in KINDS if k in counts}


# ----------------------------------------------------------------------------- precision

def load_review(path: Path = EVENTS_REVIEW) -> dict[str, dict]:
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


@dataclass
class Precision:
    kind: str
    right: int
    judged: int
    wrong: list[str]
    unjudged: list[str]


def event_precision(index: TimeIndex, gold: list[dict], review: dict[str, dict]) -> Precision:
    right, judged, wrong, unjudged = 0, 0, [], []
    for node in sorted(index.events, key=str):
        text = _event_text(index, node) + " " + ", ".join(f"{d}:{l}" for d, l in sorted(index.events[node].sources))
        verdict = review.get(str(node))
        if verdict is not None:
            judged += 1
            if verdict.get("correct"):
                right += 1
            else:
                wrong.append(f"{node.rsplit('/', 1)[-1]} {text}  — {verdict.get('reason', '')}")
        elif any(event_matches(index, item, node) for item in gold):
            judged += 1
            right += 1
        else:
            unjudged.append(f"{node} {text}")
    return Precision("event", right, judged, wrong, unjudged)


def meeting_precision(index: TimeIndex, gold: list[dict]) -> Precision:
    right, wrong = 0, []
    for node, m in sorted(index.meetings.items(), key=lambda x: str(x[0])):
        if not m.graphs - {""}:
            continue  # described only by the manifest / reference data
        ok = any(item["date"] in m.dates and (item.get("session") is None or item["session"] in m.sessions)
                 and any(index.named(c, [item["committee"]]) for c in m.committees) for item in gold)
        right += ok
        if not ok:
            wrong.append(f"{node.rsplit('/', 1)[-1]} {sorted(m.sessions)} {sorted(m.dates)} of "
                         + ",".join(index.names.label(c) for c in m.committees))
    return Precision("meeting", right, right + len(wrong), wrong, [])


def membership_precision(index: TimeIndex, gold: list[dict]) -> Precision:
    right, wrong = 0, []
    for doc, person, org, role in index.memberships:
        names = index.person_names.get(person, set())
        year = index.doc_year.get(doc)
        ok = any(norm(item["name"]) in names and item["year"] == year and index.named(org, [item["organization"]])
                 and index.named(role, [item["role"]]) for item in gold)
        right += ok
        if not ok:
            wrong.append(f"{doc}: {'/'.join(sorted(names))} {index.names.label(org)} {index.names.label(role)}")
    return Precision("membership", right, right + len(wrong), wrong, [])


def precision(index: TimeIndex, gold: dict, review: dict | None = None) -> list[Precision]:
    review = load_review() if review is None else review
    return [event_precision(index, gold["event"], review), meeting_precision(index, gold["meeting"]),
            membership_precision(index, gold["person"])]


# ----------------------------------------------------------------------------- report

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nq", type=Path, default=None, help="the built dataset (default: build a fresh one)")
    parser.add_argument("--unreviewed", action="store_true", help="print every unreviewed event with its quote")
    args = parser.parse_args(argv)
    dataset = accuracy.build_dataset(args.nq)
    gold = load_gold()
    problems = citation_problems(gold, accuracy.source_lines(ROOT))
    for problem in problems:
        print("citation:", problem)
    index = TimeIndex.build(dataset)
    outcomes = evaluate(dataset, gold, index)
    print("FOUND (recall against tests/gold/{events,meetings,people}.yaml)")
    for kind, (found, total) in recall_by_kind(outcomes).items():
        print(f"  {kind:10s} {found:3d}/{total:3d}  {found / total:6.1%}")
    print("\nMISSES")
    by_cause = defaultdict(int)
    for o in outcomes:
        if not o.found:
            by_cause[(o.kind, o.cause)] += 1
            print(f"  [{o.kind}/{o.cause}] {describe(o.kind, o.item)}\n      → {o.detail}")
    print("  causes:", dict(by_cause))
    print("\nRIGHT (precision of what is extracted)")
    for p in precision(index, gold):
        share = f"{p.right / p.judged:6.1%}" if p.judged else "   n/a"
        print(f"  {p.kind:10s} {p.right:3d}/{p.judged:3d}  {share}   unjudged {len(p.unjudged)}")
        for w in p.wrong:
            print(f"      ✗ {w}")
        if args.unreviewed:
            for u in p.unjudged:
                node = URIRef(u.split(" ", 1)[0])
                print(f"      ? {u}")
                for key, quote in sorted(index.events[node].quotes.items())[:1]:
                    print(f"          {key[0]}:{key[1]} {quote[:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
