"""The model, declared once.

Every kind of node is a ``Kind``: its data-file section, its Neo4j label, its GraphQL type name
and its fields. A ``Field`` says how a value is written in the data files, how it is stored
(a property, a date, or a relationship to other nodes) and what it means. From this one
declaration come:

- the data files' validation (``loaders/validate.py``),
- the Neo4j constraints and indexes (``graph/migrations.py``),
- the graph writes (``loaders/write.py``),
- the GraphQL types and their list filters (``api/``),
- the Cypher's labels, relationship types and properties (``graph/cypher.py``),
- the GraphQL types and their list filters (``api/graphql/generated.py``, written by
  ``revgraph codegen``),
- the model documentation for Cypher users (``revgraph model-docs`` writes docs/model.md).

The rules a record must keep live here too, beside the fields they constrain (a range, a
maximum length, a relationship that may not form a cycle, what an event's kind implies), so
that the checker in ``loaders/check.py`` applies them without knowing any field by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import Enum
from functools import cached_property
from typing import Any, Literal

from schema.time import Temporal, instant, period, span

FieldType = Literal["str", "text", "int", "float", "bool", "date", "strs", "ref", "refs", "enum"]
Category = Literal["entity", "fact"]


class Alignment(str, Enum):
    """Which side held power: the values of the API contract (docs in ALIGNMENT_DOCS)."""

    RED = "RED"
    PROVISIONAL = "PROVISIONAL"
    WHITE = "WHITE"
    NATIONAL = "NATIONAL"
    FOREIGN = "FOREIGN"
    GREEN = "GREEN"
    OTHER = "OTHER"


ALIGNMENT_DOCS: dict[str, str] = {
    "RED": "Bolshevik-led soviet power: Sovnarkom, Bolshevik or Bolshevik-Left SR soviets and "
    "military-revolutionary committees, the Red Guards and the Red Army.",
    "PROVISIONAL": "The Provisional Government of 1917 and its local organs: commissars, city dumas "
    "and committees of public safety acting in its name, and moderate-socialist soviets that "
    "did not recognise Sovnarkom.",
    "WHITE": "Anti-Bolshevik Russian forces and governments of the civil war: the Volunteer Army, "
    "Denikin, Kolchak, Yudenich, Wrangel, Komuch and the Siberian governments.",
    "NATIONAL": "Governments of national movements: the Ukrainian Central Rada, the Finnish Senate, "
    "the Transcaucasian, Georgian, Armenian and Azerbaijani governments, Alash Orda, the "
    "Kokand autonomy and others.",
    "FOREIGN": "Foreign powers' armies and occupation: German, Austro-Hungarian, Ottoman, Allied "
    "and Japanese forces, and the Czechoslovak Legion.",
    "GREEN": "Peasant armies and anarchists independent of both Reds and Whites (Makhno, Antonov).",
    "OTHER": "Anything else; the fact's note says what.",
}

CONFIDENCE = ("high", "medium", "low")
PLACE_KINDS = ("city", "town", "province", "region", "country", "electoral-district")
SOURCE_KINDS = ("book", "article", "encyclopedia", "newspaper", "thread", "document", "web")
ORGANIZATION_KINDS = (
    "government",
    "mrc",
    "duma",
    "public-safety-committee",
    "union",
    "cossack-host",
    "army",
    "national-government",
    "soviet-government",
    "other",
)
SOVIET_LEVELS = ("city", "province", "region", "national", "other")
EVENT_KINDS = (
    "uprising",
    "fighting",
    "battle",
    "congress",
    "election",
    "decree",
    "strike",
    "demonstration",
    "declaration",
    "mutiny",
    "occupation",
    "conference",
    "other",
)
# Kinds of event that always mean armed fighting.
FIGHTING_EVENT_KINDS = ("fighting", "battle")
FIGURE_QUALIFIERS = ("exact", "approximate", "at-least", "at-most")

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# The labels every entity and every fact carries besides its own kind's.
ENTITY_LABEL = "Entity"
FACT_LABEL = "Fact"
# Properties the loader adds to what the files give.
SEARCH_TEXT = "searchText"  # entities: name and aliases folded to lowercase ASCII
LOAD_HASH = "loadHash"  # every node: a digest of what the loader wrote, to write only changes
START, END = "start", "end"  # the fields of a span: periods, events, roles
POSITION = "position"  # every relationship: the order of its targets in the file
SEARCH_INDEX = "entity_search"  # the full-text index over names and searchText

# Limits that keep a record sane whatever its kind (a curator's typo, or a hostile file).
MAX_TEXT = 2000  # characters in a name, a title or another short text
MAX_LONG_TEXT = 20000  # characters in a note, a summary or a quotation
MAX_COUNT = 10_000_000  # a count of seats, delegates or people


@dataclass(frozen=True)
class Field:
    """One field of a kind.

    ``name`` is the data-file key (snake_case); ``prop`` the Neo4j property (camelCase),
    derived unless given. A ``ref``/``refs`` field is a relationship ``rel`` from this node to
    nodes of the ``targets`` labels; ``reverse`` names the GraphQL field that walks it
    backwards from the target.
    """

    name: str
    type: FieldType
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    rel: str | None = None
    reverse: str | None = None
    reverse_description: str | None = None
    default: object = None
    index: bool = False  # a range index on this property (or date) for lookups and ranges
    filter: bool = False  # offered as a filter on the kind's GraphQL list
    label_if_true: str | None = None  # a bool that adds a label (Person.historian -> :Historian)
    prop_name: str | None = None
    minimum: float | None = None  # numbers: the smallest value allowed
    maximum: float | None = None  # numbers: the largest value allowed
    acyclic: bool = False  # a ref to the same kind that may not lead back to the record
    not_above: str | None = None  # a number that may not exceed this other field's

    @cached_property  # read per resolved field by the API: computed once
    def camel(self) -> str:
        """The name in camelCase: the GraphQL field and, unless overridden, the property."""
        head, *rest = self.name.split("_")
        return head + "".join(part.capitalize() for part in rest)

    @cached_property
    def prop(self) -> str:
        return self.prop_name or self.camel

    @property
    def is_ref(self) -> bool:
        return self.type in ("ref", "refs")

    @property
    def max_length(self) -> int:
        return MAX_LONG_TEXT if self.type == "text" else MAX_TEXT


@dataclass(frozen=True)
class Implies:
    """A value of one field that fixes another: an event of kind "battle" is fighting."""

    field: str
    values: tuple[str, ...]
    then: str
    value: object


@dataclass(frozen=True)
class NoOverlap:
    """Periods of a kind that share ``group_by`` may overlap only when both are ``unless``."""

    group_by: str
    unless: str
    who: str  # the field that names each period's holder in the message


@dataclass(frozen=True)
class Kind:
    """A kind of node: an entity (has a name) or a fact (cites sources)."""

    name: str  # the Neo4j label, e.g. "Control"
    section: str  # the data-file section, e.g. "control"
    category: Category
    description: str
    fields: tuple[Field, ...]
    graphql_name: str | None = None
    plural: str | None = None  # the GraphQL list field, e.g. "controlPeriods"
    id_from: tuple[str, ...] = ()  # facts: the fields an id is derived from when none is given
    name_from: str | None = None  # entities whose name is another field (a source's title)
    cites_required: bool = False  # every record must cite a source
    temporal: Temporal | None = None  # what its dates mean (schema/time.py); None: undated
    # A period that can hold on no day is refused: its end, at its latest, is on or before its
    # start's first day (half-open: over on its end day). Control only for now: the data holds
    # one-day offices (roles) written with the same start and end.
    must_hold: bool = False
    implies: tuple[Implies, ...] = ()
    no_overlap: NoOverlap | None = None

    @property
    def gql(self) -> str:
        return self.graphql_name or self.name

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.name, ENTITY_LABEL if self.category == "entity" else FACT_LABEL)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")

    @cached_property  # asked for every record a load checks and writes
    def refs(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.is_ref)

    @cached_property
    def props(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.is_ref)


ENTITY_LABELS = ("Place", "Party", "Person", "Organization", "Soviet", "Event", "Source")

# Fields every kind shares, declared once and added below.
ID = Field("id", "str", "A stable, readable id: a slug of lowercase letters, digits and hyphens "
           "(for a fact without one, made from its key fields).")
NAME = Field("name", "str", "The name most English-language histories use.", required=True,
             index=True)
ALIASES = Field(
    "aliases",
    "strs",
    "Other spellings, transliterations, later names, and the misspellings sources really use.",
    default=(),
)
NOTE = Field("note", "text", "A curator's note: how sources differ, why a fact is uncertain.")
CONFIDENCE_FIELD = Field(
    "confidence",
    "enum",
    "How sure the curators are: high, medium or low.",
    choices=CONFIDENCE,
    default="high",
    filter=True,
)


# Declarations that make the dataset checks (loaders/dataset_checks.py) accept a name or an
# alias two entities share: they are known to be different things.
DISTINCT_FROM = Field(
    "distinct_from", "refs",
    "Entities with the same name or alias that are known to be different things.",
    targets=ENTITY_LABELS, rel="DISTINCT_FROM",
)
SHARED_ALIASES = Field(
    "shared_aliases", "strs",
    "Aliases this entity knowingly shares with another (each must list it here).", default=(),
)


def _entity(name: str, section: str, description: str, *fields: Field, **kw: Any) -> Kind:
    name_field = NAME if "name_from" not in kw else replace(NAME, required=False)
    return Kind(
        name, section, "entity", description,
        (replace(ID, required=True), name_field, ALIASES, *fields, DISTINCT_FROM, SHARED_ALIASES,
         NOTE),
        **kw,
    )


def _fact(name: str, section: str, description: str, *fields: Field, **kw: Any) -> Kind:
    return Kind(
        name, section, "fact", description, (ID, *fields, CONFIDENCE_FIELD, NOTE),
        cites_required=True, **kw,
    )


SOURCE = _entity(
    "Source", "sources",
    "A work that tells of these events: a book, article, encyclopedia, newspaper piece or thread.",
    Field("title", "str", "The work's title.", required=True, prop_name="title"),
    Field("authors", "refs", "Who wrote it.", targets=("Person",), rel="WRITTEN_BY",
          reverse="works", reverse_description="The works this person wrote."),
    Field("year", "int", "The year of publication.", required=True, index=True, filter=True),
    Field("kind", "enum", "What sort of work it is.", required=True, choices=SOURCE_KINDS,
          filter=True),
    Field("publisher", "str", "The publisher."),
    Field("url", "str", "Where the work can be read online."),
    plural="sources",
    name_from="title",
)

PLACE = _entity(
    "Place", "places",
    "A city, town, province, region or country of the former Russian empire.",
    Field("kind", "enum", "city, town, province, region or country; or an electoral district "
          "(of the Constituent Assembly election, at its main town, in its governorate).",
          required=True,
          choices=PLACE_KINDS, filter=True, index=True),
    Field("lat", "float", "Latitude in decimal degrees (WGS 84).", required=True,
          minimum=-90, maximum=90),
    Field("lon", "float", "Longitude in decimal degrees (WGS 84).", required=True,
          minimum=-180, maximum=180),
    Field("in", "ref", "The province, region or country it belonged to in 1917.",
          targets=("Place",), rel="PART_OF", reverse="contains", filter=True, acyclic=True,
          reverse_description="The places that belonged to this one."),
    plural="places",
)

PARTY = _entity(
    "Party", "parties", "A political party or a faction of one.",
    Field("faction_of", "ref", "The party this is a faction of.", targets=("Party",),
          rel="FACTION_OF", reverse="factions", acyclic=True,
          reverse_description="The factions of this party."),
    plural="parties",
)

PERSON = _entity(
    "Person", "people",
    "A person: an actor in these events, a historian who wrote about them, or both "
    "(a historian also carries the label Historian).",
    Field("historian", "bool", "Wrote about these events.", default=False,
          label_if_true="Historian", filter=True),
    Field("born", "date", "When the person was born."),
    Field("died", "date", "When the person died."),
    plural="people",
)

ORGANIZATION = _entity(
    "Organization", "organizations",
    "A government, committee, city duma, union, army, Cossack host or national government.",
    Field("kind", "enum", "What sort of organisation.", required=True, choices=ORGANIZATION_KINDS,
          filter=True),
    Field("place", "ref", "Where it sat.", targets=("Place",), rel="BASED_IN",
          reverse="organizations", filter=True,
          reverse_description="Organisations based here."),
    plural="organizations",
)

SOVIET = _entity(
    "Soviet", "soviets", "A named soviet (council) of workers', soldiers' or peasants' deputies.",
    Field("place", "ref", "The place whose soviet it was.", required=True, targets=("Place",),
          rel="BASED_IN", reverse="soviets", filter=True,
          reverse_description="The soviets of this place."),
    Field("level", "enum", "city, province, region, national or other.", choices=SOVIET_LEVELS,
          filter=True),
    plural="soviets",
)

EVENT = _entity(
    "Event", "events",
    "Something that happened: an uprising, fighting, a congress, an election, a decree...",
    Field("kind", "enum", "What sort of event.", required=True, choices=EVENT_KINDS,
          filter=True, index=True),
    Field("fighting", "bool", "Whether there was armed fighting.", default=False, filter=True,
          index=True),
    Field("places", "refs", "Where it happened.", targets=("Place",), rel="AT", reverse="events",
          filter=True, reverse_description="The events that happened here."),
    Field(START, "date", "When it began.", index=True),
    Field(END, "date", "When it ended.", index=True),
    plural="events",
    temporal=span(START, END),
    cites_required=True,
    implies=(Implies("kind", FIGHTING_EVENT_KINDS, "fighting", True),),
)

CONTROL = _fact(
    "Control", "control",
    "Who held power over a place, from when to when, according to the sources cited.",
    Field("place", "ref", "The place held.", required=True, targets=("Place",), rel="OF_PLACE",
          reverse="control", filter=True,
          reverse_description="Who held this place, oldest first."),
    Field("controller", "ref", "Who held it.", required=True, targets=ENTITY_LABELS, rel="BY",
          reverse="controlled", filter=True,
          reverse_description="The places this one held, and when."),
    Field("alignment", "enum", "The side the controller was on.", required=True,
          choices=tuple(a.value for a in Alignment), filter=True, index=True),
    Field(START, "date", "When it began; unknown if absent.", index=True),
    Field(END, "date", "When it ended; unknown or beyond the data if absent.", index=True),
    Field("disputed", "bool", "Contested at the time, or sources disagree.", default=False,
          filter=True),
    graphql_name="ControlPeriod",
    plural="controlPeriods",
    id_from=("place", "controller", "start"),
    no_overlap=NoOverlap(group_by="place", unless="disputed", who="controller"),
    temporal=period(START, END),
    must_hold=True,
)

COMPOSITION = _fact(
    "Composition", "composition",
    "A party's majority, share or seats in a soviet, congress or council on a date.",
    Field("body", "ref", "The soviet, organisation or congress.", required=True,
          targets=("Soviet", "Organization", "Event"), rel="IN_BODY", reverse="composition",
          filter=True, reverse_description="Party shares in this body over time."),
    Field("party", "ref", "The party.", required=True, targets=("Party",), rel="OF_PARTY",
          reverse="shares", filter=True,
          reverse_description="This party's shares in soviets, congresses and councils."),
    Field("date", "date", "When.", required=True, index=True),
    Field("majority", "bool", "Whether the party held a majority."),
    Field("share", "float", "The party's share, as a fraction from 0 to 1.", minimum=0,
          maximum=1),
    Field("seats", "int", "Seats or delegates the party held.", minimum=0, maximum=MAX_COUNT,
          not_above="of"),
    Field("of", "int", "Out of how many seats or delegates.", prop_name="ofTotal", minimum=1,
          maximum=MAX_COUNT),
    Field("description", "text", "The source's own words for the share."),
    plural="compositions",
    temporal=instant("date"),
    id_from=("body", "party", "date"),
)

ROLE = _fact(
    "Role", "roles", "A person's office or membership, from and to.",
    Field("person", "ref", "Who.", required=True, targets=("Person",), rel="OF_PERSON",
          reverse="roles", filter=True, reverse_description="This person's offices and memberships."),
    Field("role", "str", "The office or membership.", required=True),
    Field("organization", "ref", "In which organisation, soviet or party.",
          targets=("Organization", "Soviet", "Party"), rel="IN_ORGANIZATION", reverse="members",
          filter=True, reverse_description="People's offices and memberships in this body."),
    Field(START, "date", "From.", index=True),
    Field(END, "date", "To.", index=True),
    plural="roles",
    temporal=period(START, END),
    id_from=("person", "role", "organization", "start"),
)

PARTICIPATION = _fact(
    "Participation", "participation", "Who took part in an event, on which side.",
    Field("event", "ref", "The event.", required=True, targets=("Event",), rel="IN_EVENT",
          reverse="participants", filter=True,
          reverse_description="Who took part, on which side."),
    Field("participant", "ref", "Who took part.", required=True, targets=ENTITY_LABELS, rel="BY",
          reverse="participations", filter=True,
          reverse_description="The events this one took part in."),
    Field("side", "str", "Which side it was on, in words.", required=True),
    Field("alignment", "enum", "The side's alignment, if one fits.",
          choices=tuple(a.value for a in Alignment), filter=True),
    plural="participations",
    id_from=("event", "participant"),
)

FIGURE = _fact(
    "Figure", "figures", "A number a source states: soviets counted, a crowd, delegates.",
    Field("about", "ref", "What the number is about.", required=True, targets=ENTITY_LABELS,
          rel="ABOUT", reverse="figures", filter=True,
          reverse_description="Numbers sources state about this."),
    Field("measure", "str", "What is counted, as a slug: soviets, delegates, crowd...",
          required=True, filter=True),
    Field("label", "str", "What the number means, in words.", required=True),
    Field("value", "float", "The number.", required=True, minimum=0, maximum=1e12),
    Field("qualifier", "enum", "exact, approximate, at-least or at-most.",
          choices=FIGURE_QUALIFIERS, default="exact"),
    Field("date", "date", "When the number held.", required=True, index=True),
    plural="figures",
    temporal=instant("date"),
    id_from=("about", "measure", "date", "value"),
)

CLAIM = _fact(
    "Claim", "claims", "A historian's or a source's reading of an event or person.",
    Field("about", "refs", "What the claim is about.", required=True, targets=ENTITY_LABELS,
          rel="ABOUT", reverse="claims", filter=True,
          reverse_description="Readings of this by historians and sources."),
    Field("by", "ref", "Who makes the claim.", targets=("Person",), rel="BY",
          reverse="claimsMade", filter=True,
          reverse_description="The claims this person makes."),
    Field("stance", "str", "A short label to compare claims: coup, mass-movement...",
          required=True, filter=True, index=True),
    Field("summary", "text", "The claim in the curators' words.", required=True),
    plural="claims",
    id_from=("about", "by", "stance", "summary"),
)

DOCUMENT = _entity(
    "Document", "documents",
    "A text the graph holds (an article, a memoir, a decree, a thread), split into passages "
    "whose mentions of entities are linked (:Passage)-[:MENTIONS]->(entity).",
    Field("title", "str", "The document's title.", required=True, prop_name="title"),
    Field("source", "ref", "The source whose text this is.", required=True, targets=("Source",),
          rel="OF_SOURCE", reverse="documents", filter=True,
          reverse_description="The texts of this source that the graph holds."),
    Field("path", "str", "The text's file, relative to the data folder and under its "
          "documents/ folder: .txt, .md or .html, in UTF-8.", required=True),
    Field("language", "str", "The text's language, as an ISO 639-1 code: en, ru...",
          required=True, filter=True),
    Field("license", "str", "The licence under which the text is stored: CC BY-SA 4.0, public "
          "domain...", required=True, filter=True),
    Field("attribution", "text", "Who wrote the text, where and when it was read, and what part "
          "of the work it is: what its licence asks a reuser to credit.", required=True),
    plural="documents",
    name_from="title",
)

VOTE = _fact(
    "Vote", "votes",
    "The votes a party's list won in one electoral district of an election, as a source gives "
    "them.",
    Field("election", "ref", "The election (an event).", required=True, targets=("Event",),
          rel="IN_ELECTION", reverse="votes", filter=True,
          reverse_description="The votes cast in this election, by district and party."),
    Field("district", "ref", "The electoral district (a place).", required=True,
          targets=("Place",), rel="IN_DISTRICT", reverse="votes", filter=True,
          reverse_description="The votes cast in this electoral district, by party."),
    Field("party", "ref", "The party or list voted for.", required=True, targets=("Party",),
          rel="FOR_PARTY", reverse="votes", filter=True,
          reverse_description="The votes this party's lists won, by district."),
    Field("votes", "int", "Votes the list won.", minimum=0, maximum=MAX_COUNT * 10,
          not_above="of"),
    Field("of", "int", "Valid votes cast in the district, all lists together.",
          prop_name="ofTotal", minimum=1, maximum=MAX_COUNT * 10),
    Field("share", "float", "The list's share of the district's valid votes, from 0 to 1, as "
          "the source gives it.", minimum=0, maximum=1),
    Field("seats", "int", "Seats the list won in the district.", minimum=0, maximum=1000),
    Field("date", "date", "The polling day, where the district voted on a day of its own."),
    plural="votes",
    temporal=instant("date"),
    id_from=("election", "district", "party"),
)

KINDS: tuple[Kind, ...] = (
    SOURCE, PLACE, PARTY, PERSON, ORGANIZATION, SOVIET, EVENT,
    CONTROL, COMPOSITION, ROLE, PARTICIPATION, FIGURE, CLAIM, DOCUMENT, VOTE,
)
KIND_BY_SECTION: dict[str, Kind] = {k.section: k for k in KINDS}
KIND_BY_LABEL: dict[str, Kind] = {k.name: k for k in KINDS}
ENTITY_KINDS = tuple(k for k in KINDS if k.category == "entity")

# A document's passages (paragraphs, with offsets into its text) and the entities they mention:
# (:Passage)-[:IN_DOCUMENT]->(:Document), (:Passage)-[:MENTIONS {start, end, text, method,
# score}]->(entity). Written by the loader from the text, not declared in the data files.
PASSAGE_LABEL = "Passage"
IN_DOCUMENT_REL = "IN_DOCUMENT"
MENTIONS_REL = "MENTIONS"
# The graph's version, outside the model's kinds: a token the loader stamps on every load that
# changes something, which readers (the API's response cache) compare (graph/version.py).
GRAPH_VERSION_LABEL = "GraphVersion"
# Fighting by month, derived by the loader from the fighting events (loaders/fighting.py), outside
# the model's kinds: one node per place and month that one of its fighting events falls in,
# (:FightingMonth {id, month, place, name, first, last}). ``month`` is the month's number
# (schema/dates.py ``month_number``; FIGHTING_OPEN_START for events whose start is unknown),
# ``place`` and ``name`` the place's id and name, ``first`` the earliest first day and ``last``
# the latest last day of those events. Its index on (month, name, place) lets a page of
# placesWithFighting read places in name order month by month (graph/queries.py).
FIGHTING_MONTH_LABEL = "FightingMonth"
FIGHTING_MONTH_PROPS = ("id", "month", "place", "name", "first", "last")
FIGHTING_MONTH_ORDER = ("month", "name", "place")  # its index, in the order a page reads it
FIGHTING_OPEN_START = 0  # the "month" of fighting whose start is unknown: it may be any month
# Where a citation's quotation stands in its source's document: properties of CITES.
SPAN_PROPS = ("spanDocument", "spanStart", "spanEnd")

# Citations: every fact and event cites at least one source; entities may. A citation is a
# relationship (record)-[:CITES {quote, locator, position}]->(:Source).
CITES_REL = "CITES"
CITATIONS = "citations"  # the data files' key
CITATION_FIELDS = (
    Field("source", "ref", "The source cited.", required=True, targets=(SOURCE.name,)),
    Field("quote", "text", "A short passage copied verbatim from the source."),
    Field("locator", "str", "Page, chapter, section or article title."),
    # A quotation read where another work quotes it (a book's sentence in a thread that cites
    # it): the source stays the work that says it, and the quotation is located in the stored
    # text of the source named here (loaders/documents/check.py).
    Field("via", "str", "Where the quotation was read when not in the source itself: the id of "
                        "another source, whose stored text quotes it."),
)


def reverse_fields(label: str) -> list[tuple[Kind, Field]]:
    """The (kind, field) pairs whose relationship can point at nodes of ``label``: the
    neighbours one walks to backwards from such a node."""
    found = []
    for kind in KINDS:
        for f in kind.refs:
            if f.reverse and (label in f.targets):
                found.append((kind, f))
    return found
