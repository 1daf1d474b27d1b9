"""The mention linker: every name and alias of the graph's entities found in a text.

Three passes, each cheap:

1. A dictionary pass. Every name and alias of every place, party, person, organisation, soviet
   and event, folded (fold.py: case, diacritics, transliteration) to its words, goes into one
   Aho-Corasick automaton (pyahocorasick). The text, folded the same way, is scanned once; a
   match counts only on word boundaries, and overlapping matches give way to the longest
   ("Moscow province" is the province, not Moscow). Derived variants join the names: a
   person's surname ("Lenin"), a party's singular ("Bolshevik").
2. A fuzzy pass for the words the dictionary left: a capitalised word (or two or three joined
   by a hyphen or space) near enough a name (rapidfuzz's normalised Indel similarity, the same
   first letter) is linked as a misspelling: "Krasnoyask" is Krasnoyarsk, "Tsaitzyn" Tsaritsyn.
3. Disambiguation from context, where one name belongs to several entities: the entity whose
   related places and bodies are mentioned in the document, or whose other words stand in the
   passage, wins. A place named next to the word "soviet" ("the Kursk soviet", "the soviet of
   Kursk") is that place's soviet.

A name written with a capital in the data must be capitalised in the text when it is one word
("the cadet forces" does not name the Kadets), and an acronym must be in capitals.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

import ahocorasick
from rapidfuzz import fuzz, process

from loaders.documents.fold import Folded, Word, fold, key, words
from schema.model import EVENT, ORGANIZATION, PARTY, PERSON, PLACE, SOVIET

LINKED_LABELS = (PLACE.name, PERSON.name, PARTY.name, ORGANIZATION.name, SOVIET.name, EVENT.name)
# Among entities that share a name and a context score, the first label wins: a bare place
# name is more often the place than anything based there.
LABEL_PRIORITY = {label: i for i, label in enumerate(LINKED_LABELS)}

SCORES = {"name": 1.0, "alias": 0.95, "variant": 0.9, "phrase": 0.9}
FUZZY_MIN_CHARS = 6
# Capitalised English words the fuzzy pass never takes for a misspelt name.
_COMMON = frozenset("""
about after again against almost also although among another armed army because before
being between both british central civil committee communist congress council country
during each either elections empire even every february following forces france further
general german germany government great however january july june many march mass members
military minister most much national never november october other over people peoples
political power province provinces provincial railway regional revolution revolutionary
russian russians several since social socialist socialists soldiers some soviet soviets
still such that their there these they this those though through under union until vast
very what when where which while white workers world would years yesterday
""".split())


# Endings that make a word of its own from a name: Russia-n, Bolshevik-s, Bolshev-ism.
_ENDINGS = ("n", "ns", "an", "ans", "ian", "ians", "ism", "ist", "ists", "ite", "ites", "s", "es")


@dataclass(frozen=True)
class Entity:
    id: str
    label: str
    name: str
    related: frozenset[str] = frozenset()  # ids it points at: its place, province, party...
    words: frozenset[str] = frozenset()  # folded words of its names, for context


@dataclass(frozen=True)
class Surface:
    """One form under which an entity can appear in a text."""

    entity: str
    form: str
    method: str  # name, alias or variant
    cased: bool  # one capitalised word: the text must capitalise it too
    acronym: bool  # two capitals or more in one word: the text must have them too
    strict: bool = False  # a short form: each capitalised word must be capitalised in the text


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    entity: str
    label: str
    name: str
    score: float
    method: str

    def as_json(self) -> dict[str, Any]:
        return {"kind": "mention", "start": self.start, "end": self.end, "text": self.text,
                "entity": self.entity, "type": self.label, "name": self.name,
                "score": round(self.score, 3), "method": self.method}


@dataclass
class _Candidate:
    first: int  # token indices, inclusive
    last: int
    surfaces: list[Surface]
    method: str = ""
    score: float = 1.0
    chosen: str | None = None
    alternatives: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EntityRow:
    """What the linker needs of one validated record; plain data, so it can be cached."""

    label: str
    id: str
    name: str
    aliases: tuple[str, ...]
    refs: dict[str, list[str]]

    @property
    def kind(self) -> Any:  # the record's interface, for from_rows' shared code
        return _Label(self.label)

    @property
    def props(self) -> dict[str, Any]:
        return {"name": self.name, "aliases": list(self.aliases)}


@dataclass(frozen=True)
class _Label:
    name: str


def entity_rows(records: Iterable[Any]) -> list[EntityRow]:
    """The linked kinds' records of a dataset, reduced to what the linker reads."""
    return [EntityRow(r.kind.name, r.id, r.props["name"], tuple(r.props.get("aliases", [])),
                      {k: list(v) for k, v in r.refs.items()})
            for r in records if r.kind.name in LINKED_LABELS]


def _is_cased(form: str) -> bool:
    return " " not in form.strip() and form[:1].isupper()


def _is_acronym(form: str) -> bool:
    return len(key(form).split()) == 1 and sum(c.isupper() for c in form) >= 2


def _without_place(name: str, places: list[str]) -> str | None:
    """A body's name without the place it starts with, if the rest is still a name."""
    for place in places:
        rest = name[len(place) + 1:]
        if place and name.startswith(place + " ") and rest[:1].isupper() and " " in rest:
            return rest  # two words at least: SOVIET.name alone names no one soviet
    return None


def _singular(form: str) -> str | None:
    """A party's singular: Bolsheviks -> Bolshevik, Socialist Revolutionaries -> ...ary."""
    if form.endswith("ies") and len(form) > 5:
        return form[:-3] + "y"
    if form.endswith("s") and not form.endswith("ss") and len(form) > 3:
        return form[:-1]
    return None


class Linker:
    """Links the mentions in texts to a fixed set of entities; build it once, link many."""

    def __init__(self, entities: Iterable[Entity], surfaces: Iterable[Surface],
                 soviets_by_place: dict[str, list[str]] | None = None) -> None:
        self.entities = {e.id: e for e in entities}
        self.by_key: dict[str, list[Surface]] = defaultdict(list)
        for s in surfaces:
            k = key(s.form)
            if k and s.entity in self.entities and all(
                    (x.entity, x.method) != (s.entity, s.method) for x in self.by_key[k]):
                self.by_key[k].append(s)
        self.automaton = ahocorasick.Automaton()
        for k in self.by_key:
            self.automaton.add_word(f" {k} ", k)
        self.automaton.make_automaton()
        self.soviets_by_place = soviets_by_place or {}
        # The fuzzy pass compares a word only with names of the same first letter and number
        # of words: a few dozen comparisons, not thousands.
        self.fuzzy_buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
        for k, ss in self.by_key.items():
            n = k.count(" ") + 1
            if n <= 3 and len(k) >= FUZZY_MIN_CHARS - 1 and any(
                    self.entities[s.entity].label != EVENT.name for s in ss):
                self.fuzzy_buckets[(k[0], n)].append(k)
        self._fuzzy_cache: dict[str, tuple[str, float] | None] = {}

    # -- building from the dataset ------------------------------------------------------

    @classmethod
    def from_records(cls, records: Iterable[Any]) -> Linker:
        """The linker of a validated dataset (loaders/validate.py's records): no Neo4j."""
        return cls.from_rows(entity_rows(records))

    @classmethod
    def from_rows(cls, rows: Iterable[EntityRow]) -> Linker:
        """The linker of the entities' names, aliases and references (see entity_rows)."""
        records = list(rows)
        parent = {r.id: r.refs.get("in", [None])[0] for r in records if r.kind.name == PLACE.name}
        names = {r.id: r.props["name"] for r in records if r.kind.name == PLACE.name}
        entities, surfaces = [], []
        soviets_by_place: dict[str, list[str]] = defaultdict(list)
        last_names: dict[str, list[str]] = defaultdict(list)
        for r in records:
            name = r.props["name"]
            aliases = [a for a in r.props.get("aliases", []) if a]
            related = {t for targets in r.refs.values() for t in targets}
            for t in list(related):  # a soviet of Kursk is also of Kursk province
                if parent.get(t):
                    related.add(parent[t])  # type: ignore[arg-type]
            words = {w for form in [name, *aliases] for w in key(form).split()}
            entities.append(Entity(r.id, r.kind.name, name, frozenset(related), frozenset(words)))
            surfaces.append(Surface(r.id, name, "name", _is_cased(name), _is_acronym(name)))
            for a in aliases:
                surfaces.append(Surface(r.id, a, "alias", _is_cased(a), _is_acronym(a)))
            if r.kind.name == PARTY.name:
                for form in [name, *aliases]:
                    one = _singular(form)
                    if one and not _is_acronym(form):
                        surfaces.append(Surface(r.id, one, "variant", _is_cased(one), False))
            if r.kind.name == PERSON.name:
                last = name.split()[-1]
                if len(last) >= 4:
                    last_names[last].append(r.id)
            if r.kind.name == SOVIET.name:
                for place in r.refs.get("place", []):
                    soviets_by_place[place].append(r.id)
            if r.kind.name in (SOVIET.name, ORGANIZATION.name):
                short = _without_place(name, [names.get(p, "") for p in r.refs.get("place", [])])
                if short:  # "Petrograd Stock Exchange" is "the Stock Exchange" in Petrograd
                    surfaces.append(Surface(r.id, short, "variant", False, False, strict=True))
        for last, ids in last_names.items():
            if len(ids) == 1:  # a surname two people share names neither
                surfaces.append(Surface(ids[0], last, "variant", True, False))
        return cls(entities, surfaces, dict(soviets_by_place))

    # -- linking ------------------------------------------------------------------------

    def link(self, text: str, passages: Iterable[tuple[int, int]] | None = None, *,
             fuzzy: bool = True) -> list[Mention]:
        """Every mention in ``text``, in order, with offsets into ``text``.

        ``passages`` (start, end) are the paragraphs: no match runs from one into the next,
        and the whole text is the context that chooses between entities sharing a name.
        """
        # Everything below works on the folded text: words and their offsets in it, and its
        # unlowered twin for capitals; offsets go back to ``text`` in _mention.
        f = fold(text)
        spans = [(f.at(s), f.at(e)) for s, e in passages] if passages is not None else [
            (0, len(f.text))]
        toks: list[Word] = []
        breaks: set[int] = set()  # token indices that begin a passage
        every = words(f)
        j = 0
        for start, end in spans:
            while j < len(every) and every[j][1] < start:
                j += 1
            breaks.add(len(toks))
            while j < len(every) and every[j][2] <= end:
                toks.append(every[j])
                j += 1
        if not toks:
            return []
        cands = self._dictionary(f.cased, toks, breaks)
        if fuzzy:
            cands += self._fuzzy(f.cased, toks, cands, breaks)
        cands.sort(key=lambda c: c.first)
        self._resolve(cands, toks)
        cands = self._soviet_phrases(toks, cands)
        return [self._mention(text, f, toks, c) for c in cands if c.chosen]

    def _dictionary(self, text: str, toks: list[Word], breaks: set[int]) -> list[_Candidate]:
        # Words one space apart; a bar between passages, which no name contains.
        parts: list[str] = []
        index: list[int] = []  # the token each part is, -1 for a bar
        for i, t in enumerate(toks):
            if i in breaks:
                parts.append("|")
                index.append(-1)
            parts.append(t[0])
            index.append(i)
        joined = " " + " ".join(parts) + " "
        starts = dict(zip(accumulate((len(p) + 1 for p in parts), initial=1), index,
                          strict=False))
        found: list[_Candidate] = []
        for end, k in self.automaton.iter(joined):
            first = starts[end - len(k)]
            last = first + k.count(" ")
            surfaces = self._allowed(self.by_key[k], text, toks[first:last + 1])
            if surfaces:
                found.append(_Candidate(first, last, surfaces))
        return _longest(found)

    @staticmethod
    def _allowed(surfaces: list[Surface], text: str, words: list[Word]) -> list[Surface]:
        span = text[words[0][1]:words[0][2]]
        capital = span[:1].isupper()
        capitals = sum(c.isupper() for c in span) >= 2
        out = []
        for s in surfaces:
            if (s.cased and not capital) or (s.acronym and not capitals):
                continue
            pairs = zip(words, s.form.split(), strict=False)
            if s.strict and not all(text[w[1]].isupper() for w, f in pairs if f[:1].isupper()):
                continue
            out.append(s)
        return out

    def _fuzzy(self, text: str, toks: list[Word], taken: list[_Candidate],
               breaks: set[int]) -> list[_Candidate]:
        free = [True] * len(toks)
        for c in taken:
            free[c.first:c.last + 1] = [False] * (c.last - c.first + 1)
        capital = [text[t[1]].isupper() for t in toks]
        # A word joined to the one before it by one space or hyphen, in the same passage.
        joined = [False] + [i not in breaks and text[a[2]:b[1]] in (" ", "-")
                            for i, (a, b) in enumerate(zip(toks, toks[1:], strict=False), 1)]
        found: list[_Candidate] = []
        i = 0
        while i < len(toks):
            if not (free[i] and capital[i]):
                i += 1
                continue
            best: tuple[int, str, float] | None = None
            for n in (3, 2, 1):
                window = toks[i:i + n]
                # A name of several words: each capitalised, joined by a space or a hyphen.
                if len(window) < n or not (all(free[i:i + n]) and all(capital[i + 1:i + n])
                                           and all(joined[i + 1:i + n])):
                    continue
                hit = self._fuzzy_match(" ".join(t[0] for t in window), n)
                if hit and (best is None or hit[1] > best[2]):
                    best = (n, hit[0], hit[1])
            if best is None:
                i += 1
                continue
            n, k, score = best
            surfaces = [s for s in self.by_key[k] if self.entities[s.entity].label != EVENT.name]
            found.append(_Candidate(i, i + n - 1, surfaces, "fuzzy", 0.9 * score / 100))
            i += n
        return found

    def _fuzzy_match(self, window: str, n: int) -> tuple[str, float] | None:
        if window in self._fuzzy_cache:
            return self._fuzzy_cache[window]
        hit = None
        if (len(window) >= FUZZY_MIN_CHARS and window not in _COMMON
                and not window.isdigit() and not self._inflected(window)):
            cutoff = 80.0 if len(window) >= 8 else 85.0
            choices = self.fuzzy_buckets.get((window[0], n), [])
            best = process.extractOne(window, choices, scorer=fuzz.ratio, score_cutoff=cutoff)
            if best is not None and abs(len(best[0]) - len(window)) <= 2:
                hit = (best[0], float(best[1]))
        self._fuzzy_cache[window] = hit
        return hit

    def _inflected(self, window: str) -> bool:
        """A known name with an ending ("Russian", "Bolshevism"): a word of its own, not a
        misspelling of the name."""
        return any(window.endswith(e) and window[:-len(e)] in self.by_key for e in _ENDINGS)

    def _resolve(self, cands: list[_Candidate], toks: list[Word]) -> None:
        """Choose each candidate's entity; where several share the name, from context: the
        entity whose related places and bodies the text mentions most, then the one whose
        other words stand near the mention, then by kind (a place before its soviet)."""
        mentioned: Counter[str] = Counter()
        for c in cands:
            ids = list(dict.fromkeys(s.entity for s in c.surfaces))
            if len(ids) == 1:
                c.chosen = ids[0]
                mentioned[ids[0]] += 1
        for c in cands:
            if not c.method:
                best = max(c.surfaces, key=lambda s: SCORES[s.method])
                c.method, c.score = best.method, SCORES[best.method]
            if c.chosen:
                continue
            ids = list(dict.fromkeys(s.entity for s in c.surfaces))
            window = {t[0] for t in toks[max(0, c.first - 30):c.last + 30]}
            own = {t[0] for t in toks[c.first:c.last + 1]}

            ranked = sorted(ids, key=lambda eid: self._context(eid, mentioned, window - own))
            c.chosen, c.alternatives = ranked[0], ranked[1:]
            c.method = "context"
            c.score *= 0.9

    def _context(self, eid: str, mentioned: Counter[str],
                 near: set[str]) -> tuple[int, int, int, int, str]:
        """The sort key of an entity among those sharing a name: best first."""
        e = self.entities[eid]
        related = [mentioned[r] for r in e.related if r in mentioned]
        words = len(e.words & near)
        return (-len(related) - words, -sum(related), -words, LABEL_PRIORITY[e.label], eid)

    def _soviet_phrases(self, toks: list[Word], cands: list[_Candidate]) -> list[_Candidate]:
        """"the Kursk soviet", "Kursk city soviet", "the soviet of Kursk": Kursk's soviet."""
        words = [t[0] for t in toks]
        taken = {i for c in cands for i in range(c.first, c.last + 1)}
        for c in cands:
            soviets = self.soviets_by_place.get(c.chosen or "", [])
            if len(soviets) != 1 or self.entities[c.chosen or ""].label != PLACE.name:
                continue
            after = words[c.last + 1:c.last + 3]
            before = words[max(0, c.first - 2):c.first]
            if after[:1] == ["soviet"] or after == ["city", "soviet"]:
                new = (c.first, c.last + after.index("soviet") + 1)
            elif before in (["soviet", "of"], ["soviet", "in"]):
                new = (c.first - 2, c.last)
            else:
                continue
            if any(i in taken for i in range(new[0], new[1] + 1) if not c.first <= i <= c.last):
                continue
            c.first, c.last = new
            c.chosen, c.method, c.score = soviets[0], "phrase", SCORES["phrase"]
        return cands

    def _mention(self, text: str, f: Folded, toks: list[Word], c: _Candidate) -> Mention:
        e = self.entities[c.chosen or ""]
        start, end = f.start(toks[c.first][1]), f.end(toks[c.last][2])
        return Mention(start, end, text[start:end], e.id, e.label, e.name, c.score, c.method)


def _longest(found: list[_Candidate]) -> list[_Candidate]:
    """Non-overlapping matches, the longest first (then the leftmost)."""
    found.sort(key=lambda c: (c.first - c.last, c.first))
    taken: set[int] = set()
    out = []
    for c in found:
        span = range(c.first, c.last + 1)
        if not any(i in taken for i in span):
            taken.update(span)
            out.append(c)
    return out
