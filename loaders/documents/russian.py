"""Russian words for the linker: their dictionary form, and an English reading of the few
words that make up the names of the graph's bodies and events.

Russian inflects names ("в Киеве", "Колчака", "Бакинской губернии"), so a Cyrillic word is
matched by its dictionary form (lemma), from pymorphy3 and the OpenCorpora dictionary that
pymorphy3-dicts-ru ships (no download at run time): "Бакинской губернии" is "бакинский
губерния", as the data's alias "Бакинская губерния" is. An English reading lets a Russian
phrase meet an English name: "Красная армия" is "red army", "Армянской революционной федерации"
"armenian revolutionary federation"; a place's adjective ("бакинский") reads as the place
(the Linker learns those from the data's own Cyrillic aliases).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

CYRILLIC = re.compile(r"[\u0400-\u04ff]")

# The English word of each Russian lemma that names a kind of body, event or side. Nationality
# adjectives that are not places of the graph come here too; place adjectives come from the data.
ENGLISH = {
    "армия": "army", "армянский": "armenian", "азербайджанский": "azerbaijan",
    "белый": "white", "большевик": "bolshevik", "большевистский": "bolshevik",
    "война": "war", "военный": "military", "военно-революционный": "military revolutionary",
    "временный": "provisional", "всероссийский": "all russian", "гражданский": "civil",
    "губерния": "province", "демократический": "democratic", "дума": "duma",
    "закавказский": "transcaucasian", "исполнительный": "executive", "казачий": "cossack",
    "комитет": "committee", "коммуна": "commune", "красный": "red", "народный": "people",
    "область": "oblast", "октябрьский": "october", "партия": "party",
    "правительство": "government", "рада": "rada", "революционный": "revolutionary",
    "революция": "revolution", "республика": "republic", "совет": "soviet", "съезд": "congress",
    "украинский": "ukrainian", "учредительный": "constituent", "собрание": "assembly",
    "федерация": "federation", "федеративный": "federative", "февральский": "february",
    "финляндский": "finnish", "центральный": "central", "восстание": "uprising",
    "войско": "host", "в": "in", "и": "and", "день": "day", "мартовский": "march",
    "комиссар": "commissar", "резня": "massacre", "событие": "event",
}
# Stress marks ("Баки́нская" is "Бакинская"); not every combining mark: "й" decomposes too.
_STRESS = re.compile("[\u0300\u0301]")


@lru_cache(maxsize=1)
def _analyzer() -> Any:
    import pymorphy3  # imported on first use: ~0.2 s and 15 MB, only for Cyrillic text

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=65536)
def parse(word: str) -> tuple[str, bool]:
    """(the dictionary form, lowercase; whether it is an adjective) of a Cyrillic word."""
    p = _analyzer().parse(_STRESS.sub("", unicodedata.normalize("NFC", word)).lower())[0]
    return str(p.normal_form).replace("ё", "е"), p.tag.POS in ("ADJF", "ADJS", "PRTF")


def lemma(word: str) -> str:
    return parse(word)[0]


def is_cyrillic(word: str) -> bool:
    return bool(CYRILLIC.search(word))
