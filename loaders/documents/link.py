"""The mention linker: every name and alias of the graph's entities found in a text.

The passes, each cheap:

1. A dictionary pass. Every name, alias and derived form (names.py) of every place, party,
   person, organisation, soviet and event, folded (fold.py: case, diacritics, transliteration)
   to its words, goes into one Aho-Corasick automaton (pyahocorasick). The text, folded the same
   way, is scanned once; a match counts only on word boundaries. Russian words are scanned
   twice more: by their dictionary forms ("Колчака" is "колчак", which folds to the alias
   "Kolchak"), and read in English (russian.py: "Красная армия" is "red army").
2. Names the dictionary holds in part. A run of capitalised words that is a name with one word
   left out ("Kiev Arsenal Uprising" for "Kiev Arsenal January Uprising", "Russian Constituent
   Assembly" for "All-Russian..."), and a phrase "X of Y" where Y is a mention and "X of" one
   of Y's other names is a name ("the Central Council of the Ukrainian People's Republic" is
   "Central Council of Ukraine", the Rada).
3. A fuzzy pass for the words left: a capitalised word (or two or three joined by a hyphen or
   space) near enough a name, word by word (rapidfuzz's normalised Indel similarity, the same
   first letter), is linked as a misspelling: "Krasnoyask" is Krasnoyarsk, "Tsaitzyn"
   Tsaritsyn. A word that is a name with an ending ("Ukrainian", "Assemblies") is not a
   misspelling of it.
4. Overlapping matches give way to the longest ("Kiev Arsenal Uprising" is the event, not Kiev).
5. Disambiguation from context, where one name belongs to several entities: the entity whose
   related places and bodies are mentioned in the document, or whose other words stand in the
   passage, wins. A name whose last word says it is a body ("...Republic", "...Government")
   does not link to a place, whatever the data's aliases say.
6. Short forms: "the Rada", "the Committee", "the Council", "the Government" alone follow the
   mention in the same document whose words contain them (the nearest before, else after).
   A place named next to the word "soviet" is that place's soviet.
7. Candidates: a capitalised name ending in a word that says what it is ("Imperial Russian
   Army", "Junker Mutiny", "Kuban Soviet Republic") that the graph does not hold is reported as
   a candidate for a new record, and nothing inside it is linked.

A name written with a capital in the data must be capitalised in the text when it is one word
("the cadet forces" does not name the Kadets), and an acronym must be in capitals (English
only: Russian writes party names in lowercase).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

import ahocorasick
from rapidfuzz import fuzz, process

from loaders.documents.fold import Folded, Word, fold, key, words
from loaders.documents.names import (
    LINKED_LABELS,
    SYNONYMS,
    Entity,
    EntityRow,
    Surface,
    canon,
    entity_rows,
    lemma_key,
    surfaces_of,
)
from loaders.documents.russian import CYRILLIC, ENGLISH, is_cyrillic, parse
from schema.model import EVENT, ORGANIZATION, PARTY, PERSON, PLACE, SOVIET

__all__ = ["LINKED_LABELS", "Candidate", "EntityRow", "Linker", "Mention", "entity_rows"]

# Among entities that share a name and a context score, the first label wins: a bare place
# name is more often the place than anything based there.
LABEL_PRIORITY = {label: i for i, label in enumerate(LINKED_LABELS)}
SCORES = {"name": 1.0, "alias": 0.95, "variant": 0.9, "phrase": 0.9, "partial": 0.85}
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
# Endings that make a word of its own from a name: Russia-n, Bolshevik-s, Bolshev-ism,
# Ukrain(e)-ian, Assembl(y)-ies.
_ENDINGS = ("n", "ns", "an", "ans", "ian", "ians", "ism", "ist", "ists", "ite", "ites", "s", "es",
            "ies", "ish", "ese", "ic")
# The last word of a name that says it is a body, an event or a party, and so what a candidate
# for a new record would be.
HEADS = {
    **dict.fromkeys(("army", "armies", "division", "regiment", "detachment", "legion", "corps",
                     "brigade", "guard", "guards", "fleet", "committee", "council", "government",
                     "republic", "union", "assembly", "duma", "directory", "directorate",
                     "commune", "rada", "senate", "sejm", "host", "ministry", "district",
                     "academy", "school", "federation"), ORGANIZATION.name),
    **dict.fromkeys(("uprising", "mutiny", "revolt", "rising", "insurrection", "revolution",
                     "battle", "treaty", "declaration", "congress", "conference", "march",
                     "days", "offensive", "operation", "strike", "affair", "massacre"),
                    EVENT.name),
    "party": PARTY.name, "soviet": SOVIET.name,
}
# Words that alone, capitalised, stand for a body or event named in full elsewhere in the text.
SHORT_FORMS = frozenset(("rada", "council", "committee", "government", "senate", "directory",
                         "directorate", "commune", "legion", "assembly", "sejm", "exchange",
                         "revolution", "duma"))
# Words inside a name ("Council of the Country", "Army of Islam").
_JOINERS = frozenset(("of", "the", "and", "de"))
# What may stand between two words of one name: a space, a hyphen, a line break, after a
# possessive ("People's Republic", "Soldiers' Deputies").
_JOIN = re.compile(r"(?:'s?)?[ \n-]")
# Words a run of capitals may begin with that are not part of a name (sentence openers).
_LEADING = frozenset("""the a an in on at after with during by from for to and as when while
since under before between of""".split())


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


@dataclass(frozen=True)
class Candidate:
    """A name of a kind the graph holds (by its last word) that the graph does not hold."""

    start: int
    end: int
    text: str
    label: str  # the kind a record for it would be

    def as_json(self) -> dict[str, Any]:
        return {"kind": "candidate", "start": self.start, "end": self.end, "text": self.text,
                "type": self.label}


@dataclass(frozen=True)
class Analysis:
    mentions: list[Mention]
    candidates: list[Candidate]


@dataclass
class _Candidate:
    first: int  # token indices, inclusive
    last: int
    surfaces: list[Surface]
    method: str = ""
    score: float = 1.0
    chosen: str | None = None
    alternatives: list[str] = field(default_factory=list)


@dataclass
class _Text:
    """A text being linked: its folding, its words and what is known of each."""

    text: str
    folded: Folded
    toks: list[Word]
    breaks: set[int]  # token indices that begin a passage
    capital: list[bool]
    cyrillic: list[bool]
    joined: list[bool]  # joined to the previous word by one space or hyphen, same passage
    vocabulary: set[str] = field(default_factory=set)  # every folded word of the text

    def original(self, i: int) -> str:
        return self.text[self.folded.start(self.toks[i][1]):self.folded.end(self.toks[i][2])]

    def free_run(self, i: int, n: int, taken: list[bool]) -> bool:
        return i + n <= len(self.toks) and not any(taken[i:i + n]) and all(self.joined[i + 1:i + n])


class Linker:
    """Links the mentions in texts to a fixed set of entities; build it once, link many."""

    def __init__(self, entities: Iterable[Entity], surfaces: Iterable[Surface],
                 soviets_by_place: dict[str, list[str]] | None = None,
                 adjectives: dict[str, str] | None = None) -> None:
        self.entities = {e.id: e for e in entities}
        self.by_key: dict[str, list[Surface]] = defaultdict(list)
        for s in surfaces:
            if s.entity not in self.entities:
                continue
            for k in {canon(key(s.form)), canon(lemma_key(s.form)) if is_cyrillic(s.form) else ""}:
                if k and all((x.entity, x.method) != (s.entity, s.method) for x in self.by_key[k]):
                    self.by_key[k].append(s)
        self.automaton = ahocorasick.Automaton()
        for k in self.by_key:
            self.automaton.add_word(f" {k} ", k)
        self.automaton.make_automaton()
        # Russian read in English meets names loosely: without of/the/and, each word singular
        # ("Совет народных комиссаров": "soviet people commissar").
        self.by_loose: dict[str, list[Surface]] = defaultdict(list)
        for k, ss in self.by_key.items():
            if " " in k and k.isascii():
                self.by_loose[loose(k)] += [s for s in ss if s not in self.by_loose[loose(k)]]
        self.loose_automaton = ahocorasick.Automaton()
        for k in self.by_loose:
            self.loose_automaton.add_word(f" {k} ", k)
        if self.by_loose:
            self.loose_automaton.make_automaton()
        self.keys_of: dict[str, list[str]] = defaultdict(list)
        for k, ss in self.by_key.items():
            for e in {x.entity for x in ss}:
                self.keys_of[e].append(k)
        self.soviets_by_place = soviets_by_place or {}
        self.adjectives = {w: canon(key(p)) for w, p in (adjectives or {}).items()}
        # Names of three words or more by their last word: the partial pass looks there.
        self.by_last: dict[str, list[str]] = defaultdict(list)
        # The fuzzy pass compares a word only with names of the same first letter and number
        # of words: a few dozen comparisons, not thousands.
        self.fuzzy_buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
        for k, ss in self.by_key.items():
            n = k.count(" ") + 1
            if n >= 3 and k.isascii():
                self.by_last[k.rsplit(" ", 1)[1]].append(k)
            if n <= 3 and len(k) >= FUZZY_MIN_CHARS - 1 and k.isascii() and any(
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
        entities, surfaces, soviets_by_place, adjectives = surfaces_of(list(rows))
        return cls(entities, surfaces, soviets_by_place, adjectives)

    # -- linking ------------------------------------------------------------------------

    def link(self, text: str, passages: Iterable[tuple[int, int]] | None = None, *,
             fuzzy: bool = True) -> list[Mention]:
        """Every mention in ``text``, in order, with offsets into ``text``.

        ``passages`` (start, end) are the paragraphs: no match runs from one into the next,
        and the whole text is the context that chooses between entities sharing a name.
        """
        return self.analyse(text, passages, fuzzy=fuzzy).mentions

    def spans(self, text: str, passages: list[tuple[int, int]]) -> tuple[list[Any], list[
            tuple[int, int]]]:
        """(mentions as score.py's spans, candidates' offsets): what the scorer reads."""
        from loaders.documents.score import Span

        a = self.analyse(text, passages)
        return ([Span(m.start, m.end, m.text, m.entity) for m in a.mentions],
                [(c.start, c.end) for c in a.candidates])

    def analyse(self, text: str, passages: Iterable[tuple[int, int]] | None = None, *,
                fuzzy: bool = True) -> Analysis:
        """The mentions of ``text`` and the candidates for new records it names."""
        t = self._prepare(text, passages)
        if not t.toks:
            return Analysis([], [])
        cands = self._dictionary(t)
        cands = _longest(cands + self._composed(t, cands) + self._partial(t, cands))
        if fuzzy:
            cands += self._fuzzy(t, cands)
        cands = self._type_cues(t, cands)
        found = self._candidates(t, cands)
        cands = [c for c in cands if not any(a <= c.first and c.last <= b for a, b, _ in found)]
        cands.sort(key=lambda c: c.first)
        self._resolve(cands, t)
        cands = [c for c in cands if c.chosen]
        cands = sorted(cands + self._short_forms(t, cands), key=lambda c: c.first)
        cands = self._soviet_phrases(t, cands)
        self._full_names(t, cands)
        f = t.folded
        return Analysis([self._mention(t, c) for c in cands],
                        [Candidate(s, e, text[s:e], label) for a, b, label in found
                         for s, e in [(f.start(t.toks[a][1]), f.end(t.toks[b][2]))]])

    def _prepare(self, text: str, passages: Iterable[tuple[int, int]] | None) -> _Text:
        # Everything works on the folded text: words and their offsets in it, and its
        # unlowered twin for capitals; offsets go back to ``text`` in _mention.
        f = fold(text)
        spans = [(f.at(s), f.at(e)) for s, e in passages] if passages is not None else [
            (0, len(f.text))]
        toks: list[Word] = []
        breaks: set[int] = set()
        every = words(f)
        j = 0
        for start, end in spans:
            while j < len(every) and every[j][1] < start:
                j += 1
            breaks.add(len(toks))
            while j < len(every) and every[j][2] <= end:
                toks.append(every[j])
                j += 1
        t = _Text(text, f, toks, breaks, [f.cased[w[1]].isupper() for w in toks], [], [])
        t.cyrillic = [False] * len(toks)
        if not text.isascii() and CYRILLIC.search(text):
            t.cyrillic = [bool(CYRILLIC.match(text, f.start(w[1]))) for w in toks]
        t.vocabulary = {w[0] for w in toks}
        t.joined = [False] + [i not in breaks and _JOIN.fullmatch(f.cased, a[2], b[1]) is not None
                              for i, (a, b) in enumerate(zip(toks, toks[1:], strict=False), 1)]
        return t

    # -- pass 1: the dictionary ---------------------------------------------------------

    def _dictionary(self, t: _Text) -> list[_Candidate]:
        streams = [[SYNONYMS.get(w[0], w[0]) for w in t.toks]]
        if any(t.cyrillic):  # Russian: by dictionary forms, and read in English
            lemmas = [key(parse(t.original(i))[0]) if c else w[0]
                      for i, (w, c) in enumerate(zip(t.toks, t.cyrillic, strict=True))]
            streams.append(lemmas)
            streams.append([self._english(t.original(i)) if c else lemmas[i]
                            for i, c in enumerate(t.cyrillic)])
        found: list[_Candidate] = []
        for stream in streams[:2]:
            found += self._scan(t, stream, self.automaton, self.by_key)
        if len(streams) == 3 and self.by_loose:  # names of several words only
            found += [c for c in self._scan(t, [loose(w) for w in streams[2]],
                                            self.loose_automaton, self.by_loose)
                      if c.last > c.first]
        return found

    def _english(self, word: str) -> str:
        lemma, adjective = parse(word)
        return ENGLISH.get(lemma) or (self.adjectives.get(lemma, "") if adjective else "") \
            or key(lemma)

    def _scan(self, t: _Text, stream: list[str], automaton: Any,
              by_key: dict[str, list[Surface]]) -> list[_Candidate]:
        """Dictionary matches in one reading of the words (a part may hold several words)."""
        parts: list[str] = []
        index: list[int] = []  # the token each part is, -1 for a bar between passages
        for i, w in enumerate(stream):
            if i in t.breaks:
                parts.append("|")
                index.append(-1)
            parts.append(w or "_")
            index.append(i)
        joined = " " + " ".join(parts) + " "
        offsets = list(accumulate((len(p) + 1 for p in parts), initial=1))
        starts = dict(zip(offsets, index, strict=False))
        ends = {o + len(p): i for o, p, i in zip(offsets, parts, index, strict=False)}
        found: list[_Candidate] = []
        for end, k in automaton.iter(joined):
            first, last = starts.get(end - len(k)), ends.get(end)
            if first is None or last is None or first < 0 or last < first:
                continue
            surfaces = self._allowed(by_key[k], t, first, last)
            if surfaces:
                found.append(_Candidate(first, last, surfaces))
        return found

    @staticmethod
    def _allowed(surfaces: list[Surface], t: _Text, first: int, last: int) -> list[Surface]:
        if t.cyrillic[first]:
            return surfaces  # Russian writes parties and many bodies in lowercase
        span = t.original(first)
        capital = span[:1].isupper()
        capitals = sum(c.isupper() for c in span) >= 2
        out = []
        for s in surfaces:
            if (s.cased and not capital) or (s.acronym and not capitals):
                continue
            pairs = zip(range(first, last + 1), s.form.split(), strict=False)
            if s.strict and not all(t.capital[i] for i, f in pairs if f[:1].isupper()):
                continue
            out.append(s)
        return out

    # -- pass 2: names held in part -------------------------------------------------------

    def _composed(self, t: _Text, cands: list[_Candidate]) -> list[_Candidate]:
        """"X of [the] Y" where Y is a mention and "X of <another name of Y>" is a name."""
        out: list[_Candidate] = []
        for c in cands:
            ids = {s.entity for s in c.surfaces}
            at = c.first - 1 - (c.first >= 2 and t.toks[c.first - 1][0] == "the")
            if at < 1 or t.toks[at][0] != "of" or not all(t.joined[at:c.first + 1]):
                continue
            for n in range(1, 5):
                head = at - n
                if head < 0 or not t.capital[head] or not all(t.joined[head + 1:at + 1]):
                    break
                x = " ".join(SYNONYMS.get(w[0], w[0]) for w in t.toks[head:at])
                hits = [s for k in self._names_of(ids) for s in self.by_key.get(f"{x} of {k}", [])]
                if hits:
                    out.append(_Candidate(head, c.last, hits, "phrase", SCORES["phrase"]))
        return out

    def _names_of(self, ids: set[str]) -> list[str]:
        return [k for e in ids for k in self.keys_of.get(e, ())]

    def _partial(self, t: _Text, cands: list[_Candidate]) -> list[_Candidate]:
        """A run of capitalised words that is a name of the dictionary with one word left out
        (not its last): "Kiev Arsenal Uprising", "Russian Constituent Assembly"."""
        out: list[_Candidate] = []
        for i in range(len(t.toks)):
            if not t.capital[i] or t.cyrillic[i]:
                continue
            for n in range(min(6, len(t.toks) - i), 1, -1):
                last = t.toks[i + n - 1][0]
                if not t.capital[i + n - 1] or SYNONYMS.get(last, last) not in self.by_last:
                    continue
                run = t.toks[i:i + n]
                if not (all(t.joined[i + 1:i + n]) and all(
                        t.capital[j] or run[j - i][0] in _JOINERS for j in range(i, i + n))):
                    continue
                ws = [SYNONYMS.get(w[0], w[0]) for w in run]
                hits = [s for k in self.by_last.get(ws[-1], ()) if _one_left_out(ws, k.split())
                        for s in self.by_key[k] if self.entities[s.entity].label != PLACE.name]
                if hits:
                    out.append(_Candidate(i, i + n - 1, hits, "variant", SCORES["partial"]))
                    break
        return out

    # -- pass 3: misspellings -------------------------------------------------------------

    def _fuzzy(self, t: _Text, taken: list[_Candidate]) -> list[_Candidate]:
        free = [True] * len(t.toks)
        for c in taken:
            free[c.first:c.last + 1] = [False] * (c.last - c.first + 1)
        used = [not x for x in free]
        found: list[_Candidate] = []
        i = 0
        while i < len(t.toks):
            if not (free[i] and t.capital[i]):
                i += 1
                continue
            best: tuple[int, str, float] | None = None
            for n in ((1,) if t.cyrillic[i] else (3, 2, 1)):
                # A name of several words: each capitalised, joined by a space or a hyphen.
                if not (t.free_run(i, n, used) and all(t.capital[i + 1:i + n])):
                    continue
                window = key(parse(t.original(i))[0]) if t.cyrillic[i] else " ".join(
                    w[0] for w in t.toks[i:i + n])  # Russian: by its dictionary form
                hit = self._fuzzy_match(window, n)
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
            if best is not None and abs(len(best[0]) - len(window)) <= 2 and _word_by_word(
                    window, best[0]) and not _inflection_of(window, best[0]):
                hit = (best[0], float(best[1]))
        self._fuzzy_cache[window] = hit
        return hit

    def _inflected(self, window: str) -> bool:
        """A known name with an ending ("Russian", "Bolshevism"): a word of its own, not a
        misspelling of the name."""
        return any(window.endswith(e) and window[:-len(e)] in self.by_key for e in _ENDINGS)

    # -- candidates for new records -------------------------------------------------------

    def _candidates(self, t: _Text, cands: list[_Candidate]) -> list[tuple[int, int, str]]:
        """Runs of capitalised words ending in a word of HEADS ("Junker Mutiny"), or beginning
        with one before "of" ("Treaty of Brest-Litovsk"), that no match covers whole and that
        do not end in a match ("Bolshevik Red Guards" is the Red Guards)."""
        ends = {c.last for c in cands}
        whole = {(c.first, c.last) for c in cands}  # "Bolshevik Government": a description
        out: list[tuple[int, int, str]] = []
        i = 0
        while i < len(t.toks):
            if not t.capital[i] or t.cyrillic[i]:
                i += 1
                continue
            j = i
            while j + 1 < len(t.toks) and t.joined[j + 1] and (
                    t.capital[j + 1] or (t.toks[j + 1][0] in ("of", "the") and j + 2 < len(
                        t.toks) and t.capital[j + 2] and t.joined[j + 2])):
                j += 1
            first = i
            while first < j and (t.toks[first][0] in _LEADING or not t.capital[first]):
                first += 1
            label = HEADS.get(t.toks[j][0]) or (
                HEADS.get(t.toks[first][0]) if t.toks[first + 1][0] == "of" else None) \
                if j > first else None
            if (label and t.capital[first] and j not in ends and (first, j - 1) not in whole
                    and not any(c.first <= first and j <= c.last for c in cands)):
                out.append((first, j, label))
            i = j + 1
        return out

    def _type_cues(self, t: _Text, cands: list[_Candidate]) -> list[_Candidate]:
        """A name of several words whose last says it is a body ("Ukrainian People's
        Republic") is no place's, whatever the data's aliases say."""
        for c in cands:
            if c.last > c.first and HEADS.get(t.toks[c.last][0]) in (
                    ORGANIZATION.name, PARTY.name, SOVIET.name):
                c.surfaces = [s for s in c.surfaces
                              if self.entities[s.entity].label != PLACE.name]
        return [c for c in cands if c.surfaces or c.chosen]

    # -- pass 5: context --------------------------------------------------------------------

    def _resolve(self, cands: list[_Candidate], t: _Text) -> None:
        """Choose each candidate's entity; where several share the name, from context: the
        entity whose related places and bodies the text mentions most, then the one whose
        other words stand near the mention, then by kind (a place before its soviet). A name
        ending in a word of a body is not a place's."""
        mentioned: Counter[str] = Counter()
        for c in cands:
            ids = list(dict.fromkeys(s.entity for s in c.surfaces))
            if len(ids) == 1:
                c.chosen = ids[0]
                mentioned[ids[0]] += 1
        for c in cands:
            if not c.surfaces:
                continue
            if not c.method:
                best = max(c.surfaces, key=lambda s: SCORES[s.method])
                c.method, c.score = best.method, SCORES[best.method]
            if c.chosen:
                continue
            ids = list(dict.fromkeys(s.entity for s in c.surfaces))
            window = {w[0] for w in t.toks[max(0, c.first - 30):c.last + 30]}
            own = {w[0] for w in t.toks[c.first:c.last + 1]}
            method = {s.entity: max(self._claim(x, t) for x in c.surfaces if x.entity == s.entity)
                      for s in c.surfaces}
            ranked = sorted(ids, key=lambda eid: self._context(eid, mentioned, window - own,
                                                               method[eid]))
            c.chosen, c.alternatives = ranked[0], ranked[1:]
            c.method = "context"
            c.score *= 0.9

    @staticmethod
    def _claim(s: Surface, t: _Text) -> float:
        """How well a form names its entity here: its method's score, less where another
        entity has the better claim, unless the text names the word left out ("Finnish")."""
        if s.qualifier and s.qualifier in t.vocabulary:
            return 1.1
        return SCORES[s.method] * s.weight

    def _context(self, eid: str, mentioned: Counter[str], near: set[str],
                 by: float) -> tuple[int, int, float, int, int, str]:
        """The sort key of an entity among those sharing a name: best first (``by``: how well
        the name names it, SCORES of the surface's method)."""
        e = self.entities[eid]
        related = [mentioned[r] for r in e.related if r in mentioned]
        words = len(e.words & near)
        return (-len(related), -sum(related), -by, -words, LABEL_PRIORITY[e.label], eid)

    # -- pass 6: short forms ----------------------------------------------------------------

    def _short_forms(self, t: _Text, cands: list[_Candidate]) -> list[_Candidate]:
        """"the Rada" alone: the entity mentioned in this text by words containing "Rada",
        the nearest before, else the nearest after."""
        taken = {i for c in cands for i in range(c.first, c.last + 1)}
        heads: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for c in cands:
            if self.entities[c.chosen or ""].label in (ORGANIZATION.name, SOVIET.name,
                                                        EVENT.name):
                for head in {w[0] for w in t.toks[c.first:c.last + 1]} & SHORT_FORMS:
                    heads[head].append((c.first, c.chosen or ""))
        out = []
        for i, w in enumerate(t.toks):
            if w[0] not in heads or i in taken or not t.capital[i]:
                continue
            alone = (not t.joined[i] or not t.capital[i - 1] or t.toks[i - 1][0] == "the") and not (
                i + 1 < len(t.toks) and t.joined[i + 1] and t.capital[i + 1])
            if not alone:
                continue
            before = [e for at, e in heads[w[0]] if at < i]
            after = [e for at, e in heads[w[0]] if at > i]
            chosen = before[-1] if before else after[0]
            out.append(_Candidate(i, i, [], "variant", 0.8, chosen))
        return out

    def _soviet_phrases(self, t: _Text, cands: list[_Candidate]) -> list[_Candidate]:
        """"the Kursk soviet", "Kursk city soviet", "the soviet of Kursk": Kursk's soviet."""
        ws = [w[0] for w in t.toks]
        taken = {i for c in cands for i in range(c.first, c.last + 1)}
        for c in cands:
            soviets = self.soviets_by_place.get(c.chosen or "", [])
            if len(soviets) != 1 or self.entities[c.chosen or ""].label != PLACE.name:
                continue
            after = ws[c.last + 1:c.last + 3]
            before = ws[max(0, c.first - 2):c.first]
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

    def _full_names(self, t: _Text, cands: list[_Candidate]) -> None:
        """A person found by the surname takes in the given name and patronymic before it
        when their initials are the person's ("Степан Георгиевич Шаумян")."""
        taken = {i for c in cands for i in range(c.first, c.last + 1)}
        for c in cands:
            e = self.entities[c.chosen or ""]
            if e.label != PERSON.name or c.first != c.last:
                continue
            names = [k.split() for k in self.keys_of.get(e.id, ()) if " " in k]
            for n in (2, 1):
                i = c.first - n
                if i < 0 or any(j in taken for j in range(i, c.first)) or not all(
                        t.capital[i:c.first]) or not all(t.joined[i + 1:c.first + 1]):
                    continue
                initials = [t.toks[j][0][:1] for j in range(i, c.first)]
                if any(len(k) == n + 1 and [w[:1] for w in k[:n]] == initials for k in names):
                    c.first = i
                    break

    def _mention(self, t: _Text, c: _Candidate) -> Mention:
        e = self.entities[c.chosen or ""]
        start, end = t.folded.start(t.toks[c.first][1]), t.folded.end(t.toks[c.last][2])
        return Mention(start, end, t.text[start:end], e.id, e.label, e.name, c.score, c.method)


def loose(k: str) -> str:
    """A key without of/the/and, each word singular: how Russian read in English meets it."""
    out = []
    for w in k.split():
        if w in ("of", "the", "and"):
            continue
        if w.endswith("ies") and len(w) > 4:
            w = w[:-3] + "y"
        elif w.endswith("s") and not w.endswith("ss") and len(w) > 3:
            w = w[:-1]
        out.append(w)
    return " ".join(out) or "_"


def _one_left_out(ws: list[str], name: list[str]) -> bool:
    """``ws`` is ``name`` with exactly one word left out, not its last."""
    if len(name) != len(ws) + 1 or ws[-1] != name[-1]:
        return False
    return any(name[:k] + name[k + 1:] == ws for k in range(len(name) - 1))


def _word_by_word(window: str, name: str) -> bool:
    """A misspelt name of several words is near the name word by word: "Imperial Russian
    Army" is not a misspelling of "Imperial German Army", nor "Central Asia" of "Central Rada"."""
    a, b = window.split(), name.split()
    return len(a) == len(b) and all(fuzz.ratio(x, y) >= 75 for x, y in zip(a, b, strict=True))


def _inflection_of(window: str, name: str) -> bool:
    """``window`` is ``name`` with an ending: "ukrainian" of "ukraine", "assemblies" of
    "assembly". A demonym, an adjective or a plural, not a misspelling."""
    stem_w, stem_n = window.rsplit(" ", 1)[-1], name.rsplit(" ", 1)[-1]
    for e in _ENDINGS:
        if stem_w.endswith(e):
            root = stem_w[:-len(e)]
            if root and (stem_n.startswith(root) and len(stem_n) - len(root) <= 1):
                return True
    return False


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
