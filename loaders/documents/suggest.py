"""A YAML draft of candidate facts found in a document, for a curator to check and move into
data/. Nothing here is a fact: each candidate quotes the sentence it came from, says how its
date was read, and is marked as a draft. Once the curator has filled its ids (the source, and
what a figure is about where the draft could not tell), the draft validates as a data file.

Events. A sentence yields an event candidate when it is dated to the day or the month and
mentions an entity of the graph ("On 2 November 1917 the Baku Soviet took power"); an undated
sentence takes the paragraph's last date when it says what happened in a word the model knows
("seized", "fighting", "strike"...) or names an event of the graph (the note then names it:
cite the sentence there if it is that one). Its places are the places mentioned, or where the
bodies mentioned sat; a sentence with two dates ("from 25 April to 31 July 1918") gives a start
and an end. Title lines (a line alone, without a full stop) yield nothing.

Control periods. A sentence dated as an event is, saying in a word of CONTROL_WORDS that a
place changed hands, yields one candidate per place it names: the controller is its subject
(the nearest mention before the word, else the first after it, never one after "from"), its
side the one the data's control periods give that controller, else the word's ("Bolsheviks"
are RED); a subject with no side yields nothing. Soviets: a soviet the linker found (the note
says the graph holds it) or a place beside the word "soviet". Compositions: a party and a body
in a sentence about a majority or seats, dated by the sentence or the last date before.

Each candidate says its confidence: a fact's in its ``confidence`` field, an event's or a
soviet's (which have none) in its note. How often they are right, against the facts data/
holds: scripts/bench_suggestions.py, by the rules of suggest_score.py.

Figures. A number that counts something ("700 soviets", "175 seats", "12,000 killed") is about
what the sentence says it counts: the dead, the wounded and the captured are an event's (the
event the sentence, or the one before, names); anything else is the subject's, the nearest
mention before the number (else after it). Its date is the sentence's, else the last stated
before it in the text (the note says so); a figure with no date before it is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from loaders.documents.dates import DateFound, NumberFound
from loaders.documents.link import Mention
from loaders.documents.read import Document
from schema.dates import Precision
from schema.model import COMPOSITION, CONTROL, EVENT, FIGURE, PARTY, PLACE, SOVIET

# A sentence ends at a full stop, a question or an exclamation mark, after any closing quote
# and footnote markers ("capital.[20][21] After"), before a capital.
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)»]?(?:\[\d+\])*\s+(?=[A-ZА-ЯЁ\"“«(\[])")
# A word of the text -> the kind of event it suggests (schema/model.py's EVENT_KINDS).
EVENT_WORDS = {
    "seized": "uprising", "seize": "uprising", "seizure": "uprising", "took power": "uprising",
    "take power": "uprising", "uprising": "uprising", "insurrection": "uprising",
    "rising": "uprising", "fighting": "fighting", "fought": "fighting", "battle": "battle",
    "strike": "strike", "demonstration": "demonstration", "congress": "congress",
    "elections": "election", "elected": "election", "mutiny": "mutiny", "occupied": "occupation",
    "captured": "occupation", "declared": "declaration", "proclaimed": "declaration",
    "decree": "decree", "soviet": "other", "soviets": "other",
}
_EVENT_RE = re.compile(r"\b(" + "|".join(sorted(EVENT_WORDS, key=len, reverse=True)) + r")\b",
                       re.I)
# What the dead, the wounded and the captured are counted by; they are an event's figures.
CASUALTIES = {"killed": "killed", "dead": "killed", "died": "killed", "perished": "killed",
              "massacred": "killed", "executed": "killed", "slain": "killed",
              "wounded": "wounded", "captured": "captured", "prisoners": "captured",
              "casualties": "casualties"}
_CASUALTY_RE = re.compile(r"\b(" + "|".join(CASUALTIES) + r")\b", re.I)
# Words that say a place changed hands (the sentence's side and date say to whom, when).
CONTROL_WORDS = ("seized", "seize", "seizing", "took power", "took control", "taken",
                 "captured", "capturing", "capture", "occupied", "occupying", "entered",
                 "invaded", "arrived in", "fell", "recaptured", "retook", "reinstalled",
                 "liberated", "established", "proclaimed", "came to power", "power passed",
                 "came under the control", "overthrew", "overthrown", "held", "controlled",
                 "захватил", "захватили", "заняли", "занял", "власть", "установлена")
# Words after which a side is the one that lost the place ("captured the city from the
# Bolsheviks"), not the one that took it.
_LOSER = re.compile(r"\b(from|against|of the loose coalition of|у|от)\W*(\w+\W+){0,4}$", re.I)
_CONTROL_RE = re.compile(r"\b(" + "|".join(sorted(CONTROL_WORDS, key=len, reverse=True)) + r")\b",
                         re.I)
# The side a word stands for where the graph gives none (its controllers' is from the data).
SIDE_WORDS = {"bolshevik": "RED", "bolsheviks": "RED", "bolsheviki": "RED", "reds": "RED",
              "red": "RED", "whites": "WHITE", "white": "WHITE"}
_SOVIET_NEAR = re.compile(r"\b(soviets?|совет\w*)\b", re.I)
_SHARE_RE = re.compile(r"\b(majority|seats|delegates|per cent|percent|большинств\w*)\b|%", re.I)
_TITLE_END = (".", "!", "?", ":", ";", ")", "»", '"', "”", "…")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    passage: int


def sentences(doc: Document) -> list[Sentence]:
    out = []
    for p in doc.passages:
        start = p.start
        for m in SENTENCE_END.finditer(doc.text, p.start, p.end):
            out.append(Sentence(start, m.start(), p.index))
            start = m.end()
        out.append(Sentence(start, p.end, p.index))
    return out


def is_title(text: str) -> bool:
    """A heading: one line, no full stop, a dozen words at most."""
    line = text.strip()
    return "\n" not in line and not line.endswith(_TITLE_END) and len(line.split()) <= 12


def draft(doc: Document, mentions: list[Mention], dates: list[DateFound],
          numbers: list[NumberFound], source: str | None,
          entities: dict[str, Any] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Candidate events and figures. ``entities``: the linker's (link.py's Entity: where each
    sat, when each event began), to place an event that names only a body and to date a
    figure of an event."""
    entities = entities or {}
    events: list[dict[str, Any]] = []
    figures: dict[tuple[Any, ...], dict[str, Any]] = {}
    citation_source = source or "TODO-SOURCE-ID"
    previous_events: list[Mention] = []
    control: dict[tuple[Any, ...], dict[str, Any]] = {}
    soviets: dict[str, dict[str, Any]] = {}
    compositions: dict[tuple[Any, ...], dict[str, Any]] = {}
    for s in sentences(doc):
        text = doc.text[s.start:s.end]
        if is_title(text):
            continue
        quote = " ".join(text.split())
        cite = [{"source": citation_source, "quote": quote}]
        inside = [m for m in mentions if s.start <= m.start < s.end]
        when = [d for d in dates if s.start <= d.start < s.end and d.date]
        # Undated, a sentence takes the paragraph's last date before it ("On 25 October the
        # rising began. Fighting in Moscow lasted a week."); the note says so.
        paragraph = doc.passages[s.passage].start
        before = [d for d in dates if paragraph <= d.start < s.start and _dated([d])]
        dated, how = (when, "") if _dated(when) else (
            (before[-1:], " The date is the last one stated before in the paragraph.")
            if before else (when, ""))
        event = _event(s, text, inside, dated, entities, len(events) + 1, bool(how))
        if event is not None:
            event["citations"] = cite
            event["note"] = (_note(doc, s, dated[0] if dated else None, inside) + how
                             + event.pop("_held", "")
                             + f" Confidence: {'low' if how else 'medium'}.")
            events.append(event)
        for c in _control(s, text, inside, dated, entities):
            c["citations"] = cite
            c["note"] = _note(doc, s, dated[0], inside) + how + (
                " `revgraph validate` names any period of the place it overlaps: end that one"
                " where this begins, or mark both disputed.")
            control.setdefault((c["place"], c["alignment"], c["start"]), c)
        for sov in _soviets(doc, s, inside, entities):
            sov["citations"] = cite
            soviets.setdefault(sov["place"], sov)
        for comp in _compositions(doc, s, text, inside, when, dates, numbers, entities):
            comp["citations"] = cite
            compositions.setdefault((comp["body"], comp["party"], comp["date"]), comp)
        if s.start == doc.passages[s.passage].start:
            previous_events = []
        for n in (n for n in numbers if s.start <= n.start < s.end):
            figure = _figure(doc, s, n, inside, previous_events, dates, entities)
            if figure is not None:
                figure["citations"] = [{"source": citation_source, "quote": quote}]
                figures.setdefault((figure["about"], figure["measure"], figure["date"],
                                    figure["value"]), figure)
        previous_events = [m for m in inside if m.label == EVENT.name] or previous_events
    return {CONTROL.section: list(control.values()), SOVIET.section: list(soviets.values()),
            COMPOSITION.section: list(compositions.values()), EVENT.section: events,
            FIGURE.section: list(figures.values())}


def _event(s: Sentence, text: str, inside: list[Mention], when: list[DateFound],
           entities: dict[str, Any], number: int, inherited: bool = False
           ) -> dict[str, Any] | None:
    held = [m.entity for m in inside if m.label == EVENT.name]
    words = [w.lower() for w in _EVENT_RE.findall(text)]
    places = list(dict.fromkeys(m.entity for m in inside if m.label == PLACE.name))
    for m in inside:
        e = entities.get(m.entity)
        places += [p for p in (e.places if e else ()) if p not in places]
    if held:  # the sentence tells of an event the graph holds: its places
        e = entities.get(held[0])
        places = list(e.places) if e and e.places else places
    # An event without a day or a month is no use to a curator: undated, it matched no
    # curated event on the development texts (scripts/bench_suggestions.py).
    if not (_dated(when) and inside and (held or places)):
        return None
    if inherited and not (held or set(words) - {"soviet", "soviets"}):
        return None  # a date from before: only where the sentence says what happened
    kind = next((EVENT_WORDS[w] for w in words if EVENT_WORDS[w] != "other"), "other")
    subject = places[0] if places else inside[0].entity
    names = ", ".join(dict.fromkeys(m.text for m in inside))
    event: dict[str, Any] = {
        "id": f"draft-{subject}-{number}",
        "name": f"TODO {number}: what happened ({', '.join(words) or 'dated'}: {names})",
        "kind": kind,
    }
    if places:
        event["places"] = places
    if when and when[0].date:
        event["start"] = when[0].date.text
        if len(when) > 1 and when[1].date and when[1].date.earliest > when[0].date.earliest:
            event["end"] = when[1].date.text
    if held:
        event["_held"] = (f" The graph holds {held[0]}: if this is it, cite the sentence there "
                          "rather than add a record.")
    return event


def _dated(when: list[DateFound]) -> bool:
    return bool(when) and when[0].date is not None and when[0].date.precision in (
        Precision.DAY, Precision.MONTH)


def _side(m: Mention, entities: dict[str, Any]) -> str | None:
    """The side a mention stands for: its entity's in the data's control periods, else the
    words' (SIDE_WORDS)."""
    e = entities.get(m.entity)
    if e is not None and getattr(e, "side", None):
        return str(e.side)
    return SIDE_WORDS.get(m.text.lower())


def _control(s: Sentence, text: str, inside: list[Mention], when: list[DateFound],
             entities: dict[str, Any]) -> list[dict[str, Any]]:
    """A change of control: a dated sentence saying, in a word of CONTROL_WORDS, that
    something with a side took a place; one candidate per place it names."""
    verb = _CONTROL_RE.search(text)
    if not (verb and _dated(when)):
        return []
    sided = [(m, side) for m in inside if m.label != PLACE.name
             for side in [_side(m, entities)] if side
             and not _LOSER.search(text[max(0, m.start - s.start - 40):m.start - s.start])]
    if not sided:
        return []
    # The side that took the place: the nearest named before the verb (its subject), else the
    # first after it ("came under the control of the Baku Commune").
    at = s.start + verb.start()
    subject = [m for m in inside if m.label != PLACE.name and m.start < at]
    if subject and not any(m is subject[-1] for m, _side in sided):
        return []  # its subject has no side the graph or the words tell ("Muravyov invaded")
    before = [x for x in sided if x[0].start < at]
    controller, side = before[-1] if before else sided[0]
    places = list(dict.fromkeys(m.entity for m in inside if m.label == PLACE.name))
    e = entities.get(controller.entity)
    places += [p for p in (e.places if e else ()) if p not in places]
    date = when[0].date
    assert date is not None
    confidence = "medium" if controller.label != PLACE.name and e is not None else "low"
    return [{"place": p, "controller": controller.entity if e is not None else "TODO-CONTROLLER-ID",
             "alignment": side, "start": date.text, "confidence": confidence}
            for p in places]


def _soviets(doc: Document, s: Sentence, inside: list[Mention],
             entities: dict[str, Any]) -> list[dict[str, Any]]:
    """A soviet: one the linker found (the graph holds it: the note says so), or a place
    named next to the word "soviet" ("the Kharkov Soviet", "the soviet of Kharkov")."""
    out = []
    for m in inside:
        e = entities.get(m.entity)
        if m.label == SOVIET.name and e is not None and e.places:
            out.append({"id": f"draft-{e.places[0]}-soviet", "name": f"TODO: {m.text}",
                        "place": e.places[0],
                        "note": f"DRAFT: the graph holds {m.entity}; cite the sentence there. "
                                "Confidence: high."})
        elif m.label == PLACE.name and _SOVIET_NEAR.search(
                doc.text[max(s.start, m.start - 12):min(s.end, m.end + 12)]):
            out.append({"id": f"draft-{m.entity}-soviet", "name": f"TODO: the {m.text} Soviet",
                        "place": m.entity,
                        "note": f"DRAFT from {doc.file}, characters {s.start}-{s.end}: "
                                f"{m.text!r} next to the word soviet. Confidence: medium."})
    return out


def _compositions(doc: Document, s: Sentence, text: str, inside: list[Mention],
                  when: list[DateFound], dates: list[DateFound], numbers: list[NumberFound],
                  entities: dict[str, Any]) -> list[dict[str, Any]]:
    """A party's majority or seats in a body the sentence names (a soviet, an organisation,
    a congress or an election), dated by the sentence, else the last date stated before."""
    if not _SHARE_RE.search(text):
        return []
    parties = [m for m in inside if m.label == PARTY.name]
    bodies = [m for m in inside if m.label in COMPOSITION.field("body").targets]
    if not (parties and bodies):
        return []
    date = when[0] if when else next((d for d in reversed(dates) if d.end <= s.start and d.date),
                                     None)
    if date is None or date.date is None:
        return []
    majority = bool(re.search(r"\bmajority\b|большинств", text, re.I))
    out = []
    for party in dict.fromkeys(m.entity for m in parties):
        comp: dict[str, Any] = {"body": bodies[0].entity, "party": party, "date": date.date.text,
                                "confidence": "low"}
        if majority:
            comp["majority"] = True
        comp["note"] = _note(doc, s, date, inside) + (
            "" if when else " The date is the last one stated before.")
        out.append(comp)
    return out


def _figure(doc: Document, s: Sentence, n: NumberFound, inside: list[Mention],
            previous_events: list[Mention], dates: list[DateFound],
            entities: dict[str, Any]) -> dict[str, Any] | None:
    clause = re.split(r"[;:.]", doc.text[n.end:s.end], maxsplit=1)[0]
    casualty = _CASUALTY_RE.search(n.measure or "") or _CASUALTY_RE.search(clause[:60])
    measure = CASUALTIES[casualty.group(1).lower()] if casualty else n.measure
    if not measure:
        return None
    if casualty:
        events = [m for m in inside if m.label == EVENT.name] or previous_events
        about = events[0] if events else None
    else:
        before = [m for m in inside if m.end <= n.start]
        after = [m for m in inside if m.start >= n.end]
        about = before[-1] if before else (after[0] if after else None)
    same = [d for d in dates if s.start <= d.start < s.end and d.date]
    earlier = [d for d in dates if d.end <= n.start and d.date]
    event_start = getattr(entities.get(about.entity), "start", None) if about else None
    if same and same[0].date:
        date, how = same[0].date.text, ""
    elif event_start and about:
        date, how = event_start, f" The date is the start of {about.entity} in the graph."
    elif earlier and earlier[-1].date:
        date, how = earlier[-1].date.text, " The date is the last one stated before."
    else:
        return None
    return {
        "about": about.entity if about else "TODO-ENTITY-ID",
        "measure": measure,
        "label": f"TODO: {n.text}" + (f" ({casualty.group(1)})" if casualty and casualty.group(
            1) not in n.text else ""),
        "value": n.value,
        "qualifier": n.qualifier,
        "date": date,
        # Sure of neither what it counts nor when, a draft figure is never more than medium.
        "confidence": "medium" if about and not how else "low",
        "note": _note(doc, s, same[0] if same else None, inside) + how,
    }


def _note(doc: Document, s: Sentence, when: DateFound | None, inside: list[Mention]) -> str:
    parts = [f"DRAFT from {doc.file}, characters {s.start}-{s.end}."]
    if when:
        parts.append(f"Date read from {when.text!r}: calendar {when.calendar_basis}"
                     f"{', year from earlier in the text' if when.year_basis == 'inferred' else ''}.")
    if inside:
        parts.append("Mentions: " + ", ".join(f"{m.text} = {m.entity}" for m in inside) + ".")
    return " ".join(parts) + " Check every field against the text."


def to_yaml(doc: Document, candidates: dict[str, list[dict[str, Any]]]) -> str:
    head = (f"# Candidate facts drafted by `revgraph ingest --suggest` from {doc.file}.\n"
            "# Nothing here is checked: read each quotation in the text, correct or delete the\n"
            "# candidate, give it a real id and name (and fill every TODO), and move it into a\n"
            "# file under data/; `revgraph validate` then checks it like any data file.\n")
    body = {k: v for k, v in candidates.items() if v}
    if not body:
        return head + "# No candidates found.\n"
    return head + yaml.dump(body, Dumper=_NoAliases, sort_keys=False, allow_unicode=True,
                            width=100)


class _NoAliases(yaml.SafeDumper):
    """Data files refuse YAML aliases; candidates of one sentence share its citation."""

    def ignore_aliases(self, data: Any) -> bool:
        return True
