"""The forms under which an entity of the graph can appear in a text, derived from its name
and aliases in the data (the linker's dictionary; link.py matches them).

Besides each name and alias:

- a person's surname ("Lenin"), when no other person shares it;
- a party's singular and its adjective ("Bolshevik", "Bolshevik Party", "Communists"), and the
  singular of any one-word plural alias ("Whites": "White", "White Army"; "Dashnaks": "Dashnak");
- a body's name without the place it starts with ("the Stock Exchange" of Petrograd);
- a name without its parenthesis ("Ottoman Army (Army of Islam)": "Ottoman Army", and "Army of
  Islam" when the parenthesis is a name of two words or more);
- an event's name without the place it ends with, when what is left is a capitalised name
  ("March Days in Baku": "March Days");
- for Russian, each Cyrillic alias by its words' dictionary forms (russian.py).

Words that translate each other in these names are matched as one ("Council of Workmen's and
Soldiers' Deputies" is "Soviet of Workers' and Soldiers' Deputies"): SYNONYMS.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from loaders.documents.fold import key
from loaders.documents.russian import is_cyrillic, parse
from schema.dates import HistoricalDate
from schema.model import CONTROL, EVENT, ORGANIZATION, PARTY, PERSON, PLACE, SOVIET, START

LINKED_LABELS = (PLACE.name, PERSON.name, PARTY.name, ORGANIZATION.name, SOVIET.name, EVENT.name)
# English words that translate each other in the names of the period's bodies.
SYNONYMS = {"council": "soviet", "workmen": "workers", "workman": "worker"}
_PAREN = re.compile(r"\s*\(([^()]*)\)")


@dataclass(frozen=True)
class Entity:
    id: str
    label: str
    name: str
    related: frozenset[str] = frozenset()  # ids it points at: its place, province, party...
    words: frozenset[str] = frozenset()  # folded words of its names, for context
    places: tuple[str, ...] = ()  # where it sat or happened (its place or places field)
    start: str | None = None  # an event's start, as the data states it
    side: str | None = None  # the alignment most of its control periods state, if it held any


@dataclass(frozen=True)
class Surface:
    """One form under which an entity can appear in a text."""

    entity: str
    form: str
    method: str  # name, alias or variant
    cased: bool  # one capitalised word: the text must capitalise it too
    acronym: bool  # two capitals or more in one word: the text must have them too
    strict: bool = False  # a derived form: each capitalised word must be capitalised in the text
    weight: float = 1.0  # below 1: another entity has a better claim to the form, ceteris paribus
    qualifier: str = ""  # the word left out ("finnish"): in the text, it makes the claim best


@dataclass(frozen=True)
class EntityRow:
    """What the linker needs of one validated record; plain data, so it can be cached."""

    label: str
    id: str
    name: str
    aliases: tuple[str, ...]
    refs: dict[str, list[str]]
    start: str | None = None  # an event's start as the data states it ("1918-03-30 N.S.")
    side: str | None = None  # as a controller, the alignment most of its control periods state


def entity_rows(records: Iterable[Any]) -> list[EntityRow]:
    """The linked kinds' records of a dataset, reduced to what the linker reads."""
    records = list(records)
    sides: dict[str, Counter[str]] = defaultdict(Counter)
    for r in records:
        if r.kind.name == CONTROL.name:
            sides[r.refs["controller"][0]][r.props["alignment"]] += 1
    return [EntityRow(r.kind.name, r.id, r.props["name"], tuple(r.props.get("aliases", [])),
                      {k: list(v) for k, v in r.refs.items()}, _start(r.props),
                      sides[r.id].most_common(1)[0][0] if sides.get(r.id) else None)
            for r in records if r.kind.name in LINKED_LABELS]


def _start(props: dict[str, Any]) -> str | None:
    d = HistoricalDate.from_graph(props, START) if props.get(START) else None
    return d.text if d else None


def canon(k: str) -> str:
    """A dictionary key with synonyms made one."""
    return " ".join(SYNONYMS.get(w, w) for w in k.split())


def lemma_key(form: str) -> str:
    """A Cyrillic form by its words' dictionary forms, folded: "Бакинская губерния" is
    "bakinskii guberniia", as "Бакинской губернии" is."""
    return " ".join(key(parse(w)[0]) if is_cyrillic(w) else key(w) for w in form.split())


def is_cased(form: str) -> bool:
    return " " not in form.strip() and form[:1].isupper()


def is_acronym(form: str) -> bool:
    return len(key(form).split()) == 1 and sum(c.isupper() for c in form) >= 2


def _capitalised(form: str) -> bool:
    """Every word but of/the/and starts with a capital: a name, not a description."""
    words = [w for w in re.split(r"[\s-]+", form) if w not in ("of", "the", "and", "in")]
    return bool(words) and all(w[:1].isupper() for w in words)


def _singular(form: str) -> str | None:
    """Bolsheviks -> Bolshevik, Socialist Revolutionaries -> ...ary."""
    if form.endswith("ies") and len(form) > 5:
        return form[:-3] + "y"
    if form.endswith("s") and not form.endswith("ss") and len(form) > 3:
        return form[:-1]
    return None


def _without_place(name: str, places: list[str]) -> str | None:
    """A body's name without the place it starts with, if the rest is still a name."""
    for place in places:
        rest = name[len(place) + 1:]
        if place and name.startswith(place + " ") and rest[:1].isupper() and " " in rest:
            return rest  # two words at least: SOVIET.name alone names no one soviet
    return None


def _parenthesis(name: str) -> list[str]:
    """"Ottoman Army (Army of Islam)": ["Ottoman Army", "Army of Islam"]."""
    if "(" not in name:
        return []
    out = [" ".join(_PAREN.sub(" ", name).split())]
    for inner in _PAREN.findall(name):
        if len(inner.split()) >= 2 and inner[:1].isupper() and not re.search(r"\d", inner):
            out.append(inner)
    return [o for o in out if len(o.split()) >= 2]


def _without_locative(name: str, place_names: set[str]) -> str | None:
    """"March Days in Baku": "March Days" (an event's name, the place left out)."""
    m = re.match(r"^(.+?) (?:in|at) (.+)$", name)
    if m and m.group(2) in place_names and len(m.group(1).split()) >= 2 and _capitalised(
            m.group(1)):
        return m.group(1)
    return None


def _party_forms(form: str) -> list[str]:
    """A party's singular and adjective: Bolsheviks: Bolshevik, Bolshevik Party; Communist
    Party: Communists, Communist."""
    out = []
    one = _singular(form)
    if one and not is_acronym(form) and " " not in form:
        out += [one, f"{one} Party"]
    elif one and is_acronym(form):
        out.append(f"{one} Party")  # SRs: SR Party
    if form.endswith("ist Party"):
        adjective = form[:-len(" Party")]
        if " " not in adjective:
            out += [adjective, adjective + "s"]
    return out


def surfaces_of(rows: list[EntityRow]) -> tuple[list[Entity], list[Surface],
                                                  dict[str, list[str]], dict[str, str]]:
    """(entities, surfaces, soviets by place, place adjectives): what the Linker is made of."""
    parent = {r.id: r.refs.get("in", [None])[0] for r in rows if r.label == PLACE.name}
    place_name = {r.id: r.name for r in rows if r.label == PLACE.name}
    place_names = {n for r in rows if r.label == PLACE.name for n in (r.name, *r.aliases)}
    entities, surfaces = [], []
    soviets_by_place: dict[str, list[str]] = defaultdict(list)
    last_names: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        aliases = [a for a in r.aliases if a]
        related = {t for targets in r.refs.values() for t in targets}
        for t in list(related):  # a soviet of Kursk is also of Kursk province
            if parent.get(t):
                related.add(parent[t])  # type: ignore[arg-type]
        words = {w for form in [r.name, *aliases] for w in key(form).split()}
        entities.append(Entity(r.id, r.label, r.name, frozenset(related), frozenset(words),
                               (*r.refs.get("place", []), *r.refs.get("places", [])),
                               r.start, r.side))
        surfaces.append(Surface(r.id, r.name, "name", is_cased(r.name), is_acronym(r.name)))
        surfaces += [Surface(r.id, a, "alias", is_cased(a), is_acronym(a)) for a in aliases]
        surfaces += [Surface(r.id, v, "variant", is_cased(v), False, strict=True)
                     for v in _variants(r, aliases, place_name, place_names)]
        surname = (_PAREN.sub(" ", r.name).split() or [""])[-1]  # "Pavel Ivanov (chairman...)"
        if r.label == PERSON.name and len(surname) >= 4 and surname[:1].isupper() \
                and surname.isalpha():
            last_names[surname].append(r.id)
        if r.label == SOVIET.name:
            for place in r.refs.get("place", []):
                soviets_by_place[place].append(r.id)
    for last, ids in last_names.items():
        if len(ids) == 1:  # a surname two people share names neither
            surfaces.append(Surface(ids[0], last, "variant", True, False))
    surfaces += _unqualified(surfaces)
    return entities, surfaces, dict(soviets_by_place), place_adjectives(rows, place_name)


def _variants(r: EntityRow, aliases: list[str], place_name: dict[str, str],
              place_names: set[str]) -> list[str]:
    out: list[str] = []
    for form in [r.name, *aliases]:
        out += _parenthesis(form)
        if r.label == PARTY.name:
            out += _party_forms(form)
        if r.label == ORGANIZATION.name and form.endswith(" Cossack Host"):
            out.append(form.removesuffix(" Host") + "s")  # the Don Cossacks
        elif r.label == ORGANIZATION.name and " " not in form and form.endswith("s") \
                and form[:1].isupper() and not is_acronym(form):
            one = _singular(form)  # Whites: White, White Army
            out += [one, f"{one} Army"] if one else []
    if r.label in (SOVIET.name, ORGANIZATION.name):
        short = _without_place(r.name, [place_name.get(p, "") for p in r.refs.get("place", [])])
        out += [short] if short else []  # "Petrograd Stock Exchange": "the Stock Exchange"
    if r.label == EVENT.name:
        for form in [r.name, *aliases]:
            short = _without_locative(form, place_names)
            out += [short] if short else []
    return [v for v in dict.fromkeys(out) if v and v not in (r.name, *aliases)]


_DEMONYM = re.compile(r"^[A-Z][a-z]+(?:ish|ian|an|ese|ic|ch)$")


def _unqualified(surfaces: list[Surface]) -> list[Surface]:
    """"Finnish Red Guards" is also "Red Guards", and "Finnish Whites" "Whites", when another
    entity is named so: the Finnish text's "Whites" are then chosen from context."""
    keys = {key(s.form) for s in surfaces if s.method != "variant"}
    out = []
    for s in surfaces:
        first, _, rest = s.form.partition(" ")
        if rest[:1].isupper() and _DEMONYM.match(first) and key(rest) in keys \
                and s.method != "variant":
            q = key(first)
            out.append(Surface(s.entity, rest, "variant", is_cased(rest), is_acronym(rest),
                               strict=True, weight=0.5, qualifier=q))
            one = _singular(rest) if " " not in rest else None
            if one:
                out.append(Surface(s.entity, one, "variant", True, False, weight=0.5,
                                   qualifier=q))
    return out


def place_adjectives(rows: list[EntityRow], place_name: dict[str, str]) -> dict[str, str]:
    """Russian adjectives of the graph's places, from the data's own Cyrillic aliases: a
    province's "Бакинская губерния" gives "бакинский" -> "Baku"; a soviet's "Ташкентский совет"
    gives "ташкентский" -> "Tashkent"."""
    out: dict[str, str] = {}
    for r in rows:
        target = (r.name.removesuffix(" Province") if r.label == PLACE.name
                  and r.name.endswith(" Province") else
                  place_name.get((r.refs.get("place") or [""])[0], ""))
        if not target:
            continue
        for a in r.aliases:
            first = a.split()[0] if a.split() else ""
            if is_cyrillic(first) and len(a.split()) >= 2:
                word, adjective = parse(first)
                if adjective:
                    out.setdefault(word, target)
    return out
