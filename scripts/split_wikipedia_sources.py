"""Replace the umbrella sources `wikipedia` and `gse-1979` by one Source per article cited.

The data cited "Wikipedia" (or "the Great Soviet Encyclopedia") and named the article only in
each citation's `locator`, so the answer to "according to whom" was the encyclopedia. This
script reads every citation of an umbrella source, takes the article title (and language) out of
its locator, and:

- rewrites the citation's `source:` to the article's own Source id, and its `locator:` to what
  is left (a section, "infobox"), or removes the locator when nothing is left;
- writes the article Sources, sorted by id, to data/encyclopedia-articles.yaml (keeping any
  written before, so a second run changes nothing);
- removes the umbrella source from data/core.yaml once nothing cites it.

The files are edited as text, line by line (PyYAML would drop the comments and the layout):
only the `source:` line and the locator's lines of each citation change. Deterministic and
idempotent. Run from the project root: `.venv/bin/python scripts/split_wikipedia_sources.py`.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import yaml
from unidecode import unidecode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loaders.files import LineDict, data_files, read_yaml  # noqa: E402

DATA = ROOT / "data"
CORE = DATA / "core.yaml"
OUTPUT = DATA / "encyclopedia-articles.yaml"

LANGUAGES = {"English": "en", "Russian": "ru", "Finnish": "fi", "Polish": "pl",
             "Romanian": "ro", "Ukrainian": "uk", "German": "de", "Italian": "it"}
LANGUAGE_NAMES = {code: name for name, code in LANGUAGES.items()}

# What a locator may say after the title that is a place inside the article, not its title.
_TRAILERS = (
    re.compile(r"^(?P<title>.+?),? \((?P<rest>infobox(?:: .+)?|earlier revision|section: .+)\)$"),
    re.compile(r"^(?P<title>.+?), (?P<rest>infobox|section '.+')$"),
)
# The one locator that names no article outright; its article, and what it says instead.
_UNCONFIRMED = re.compile(r"^Wikipedia text on the (?P<title>.+?) \((?P<rest>.+)\)$")


@dataclass(frozen=True)
class Article:
    umbrella: str  # the umbrella source's id
    lang: str  # the Wikipedia's language code ("" for the GSE)
    title: str

    @property
    def id(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", unidecode(self.title).lower()).strip("-")
        if self.umbrella == "gse-1979":
            return f"gse-{slug}"
        return f"wikipedia-{slug}" if self.lang == "en" else f"wikipedia-{self.lang}-{slug}"

    def record(self) -> dict[str, object]:
        if self.umbrella == "gse-1979":
            return {
                "id": self.id, "title": f"Great Soviet Encyclopedia: {self.title}",
                "kind": "encyclopedia", "year": 1979, "publisher": "Macmillan",
                "note": "An article of the Great Soviet Encyclopedia, 3rd edition, in its English "
                        "translation (Macmillan, 1973-1983); the year is the one the former "
                        "umbrella source 'gse-1979' gave. Soviet historiography: its dates of "
                        "the establishment of Soviet power are the standard Soviet ones; its "
                        "readings are ideologically coloured.",
            }
        page = quote(self.title.replace(" ", "_"), safe="()_,'-:.!")
        language = "" if self.lang == "en" else f"{LANGUAGE_NAMES[self.lang]} "
        # The work is named with its encyclopedia: "Wikipedia: Kursk" says whose word it is (and a
        # bare "Kursk" would outrank the city itself in the API's name search).
        return {
            "id": self.id, "title": f"{language}Wikipedia: {self.title}", "kind": "encyclopedia",
            "year": 2024,
            "url": f"https://{self.lang}.wikipedia.org/wiki/{page}",
            "note": f"A {language}Wikipedia article. The year is the one the former umbrella "
                    "source 'wikipedia' gave for the curators' reading; the model has no field "
                    "for the date an online article was read.",
        }


def parse_locator(umbrella: str, locator: str) -> tuple[Article, str | None]:
    """The article a locator names, and what remains of the locator (None if nothing)."""
    text = " ".join(locator.split())
    if umbrella == "gse-1979":
        if not text.startswith("article: "):
            raise ValueError(f"a GSE locator names no article: {locator!r}")
        return Article(umbrella, "", text.removeprefix("article: ")), None
    lang = "en"
    unconfirmed = _UNCONFIRMED.match(text)
    if unconfirmed:
        return Article(umbrella, lang, unconfirmed["title"]), unconfirmed["rest"]
    m = re.match(r"^article \((?P<name>\w+) Wikipedia\): (?P<t>.+)$", text) or re.match(
        r"^(?P<code>[a-z]{2})\.wikipedia article: (?P<t>.+)$", text)
    if m:
        lang = m.groupdict().get("code") or LANGUAGES[m["name"]]
        text = m["t"]
    elif text.startswith("article: "):
        text = text.removeprefix("article: ")
    else:
        raise ValueError(f"a Wikipedia locator names no article: {locator!r}")
    for pattern in _TRAILERS:
        trailer = pattern.match(text)
        if trailer:
            return Article(umbrella, lang, trailer["title"]), trailer["rest"]
    return Article(umbrella, lang, text), None


@dataclass(frozen=True)
class Edit:
    source_line: int  # 1-based line of the citation's `source:` key
    locator_line: int  # 1-based line of its `locator:` key
    article: Article
    rest: str | None


def _citations(node: object) -> list[LineDict]:
    """Every citation mapping below a node of a parsed file."""
    found: list[LineDict] = []
    if isinstance(node, LineDict):
        for key, value in node.items():
            if key == "citations" and isinstance(value, list):
                found.extend(c for c in value if isinstance(c, LineDict))
            else:
                found.extend(_citations(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_citations(item))
    return found


def edits_of(path: Path, umbrellas: tuple[str, ...]) -> list[Edit]:
    edits = []
    for c in _citations(read_yaml(path, str(path))):
        if c.get("source") not in umbrellas:
            continue
        if "locator" not in c:
            raise ValueError(f"{path}:{c.line}: a citation of {c['source']!r} with no locator")
        article, rest = parse_locator(c["source"], str(c["locator"]))
        edits.append(Edit(c.line_of("source"), c.line_of("locator"), article, rest))
    return edits


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _value_span(lines: list[str], key_index: int) -> int:
    """How many lines the `key: value` at ``key_index`` takes (a plain scalar may fold)."""
    key_column = lines[key_index].index("locator:")
    n = 1
    while key_index + n < len(lines):
        nxt = lines[key_index + n]
        if not nxt.strip() or _indent(nxt) <= key_column:
            break
        n += 1
    return n


def apply(path: Path, edits: list[Edit]) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    # Bottom-up, so that the line numbers of the edits not yet made stay right.
    for e in sorted(edits, key=lambda e: max(e.source_line, e.locator_line), reverse=True):
        for line_no in sorted((e.source_line, e.locator_line), reverse=True):
            i = line_no - 1
            if line_no == e.locator_line:
                span = _value_span(lines, i)
                head = lines[i][:lines[i].index("locator:")]
                new = [] if e.rest is None else [
                    f"{head}locator: {json.dumps(e.rest, ensure_ascii=False)}\n"]
                if not new and head.strip() == "-":
                    raise ValueError(f"{path}:{line_no}: the locator opens its citation")
                lines[i:i + span] = new
            else:
                lines[i] = re.sub(r"(source:\s*)[a-z0-9-]+", rf"\g<1>{e.article.id}", lines[i],
                                  count=1)
    path.write_text("".join(lines), encoding="utf-8")


def write_sources(articles: set[Article]) -> None:
    records: dict[str, dict[str, object]] = {}
    if OUTPUT.exists():
        for r in (yaml.safe_load(OUTPUT.read_text(encoding="utf-8")) or {}).get("sources", []):
            records[r["id"]] = r
    for a in articles:
        old = records.get(a.id)
        if old is not None and old["title"] != a.record()["title"]:
            raise ValueError(f"two articles share the id {a.id!r}: {old['title']!r}, {a.title!r}")
        records[a.id] = a.record()
    header = ("# One Source per encyclopedia article the data cites (Wikipedia, in whichever\n"
              "# language, and the Great Soviet Encyclopedia). Written by\n"
              "# scripts/split_wikipedia_sources.py from the locators of the former umbrella\n"
              "# sources; edit by hand freely, the script keeps what is here.\n")
    body = yaml.safe_dump({"sources": [records[k] for k in sorted(records)]},
                          allow_unicode=True, sort_keys=False, width=100)
    OUTPUT.write_text(header + body, encoding="utf-8")


def remove_umbrella(umbrella: str) -> None:
    """Delete the umbrella's record from core.yaml (from its `- id:` line to the next record)."""
    lines = CORE.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines)
                  if re.match(rf"^\s*- id: {re.escape(umbrella)}\s*$", line)), None)
    if start is None:
        return
    column = lines[start].index("-")
    end = start + 1
    while end < len(lines) and lines[end].strip() and _indent(lines[end]) > column:
        end += 1
    del lines[start:end]
    CORE.write_text("".join(lines), encoding="utf-8")


def still_cited(umbrella: str) -> bool:
    pattern = re.compile(rf"^\s*(- )?source:\s*{re.escape(umbrella)}\s*$", re.M)
    return any(pattern.search(p.read_text(encoding="utf-8")) for p in data_files([DATA]))


def main() -> None:
    umbrellas = ("wikipedia", "gse-1979")
    articles: set[Article] = set()
    for path in data_files([DATA]):
        edits = edits_of(path, umbrellas)
        if edits:
            apply(path, edits)
            articles.update(e.article for e in edits)
            print(f"{path.relative_to(ROOT)}: {len(edits)} citation(s)")
    write_sources(articles)
    for umbrella in umbrellas:
        if not still_cited(umbrella):
            remove_umbrella(umbrella)
    print(f"{len(articles)} article source(s) cited in this run; see {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
