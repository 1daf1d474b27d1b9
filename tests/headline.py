"""The README's headline questions (and the playground's example tabs), with their answers
recorded on the project's dataset, so that a refactoring that changes an answer shows.

Record anew, after a deliberate change of data or API, with:

    .venv/bin/python -m tests.headline

and read the diff of tests/fixtures/headline/answers.json before committing it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from api.web.playground import EXAMPLE_TABS

ANSWERS = Path(__file__).parent / "fixtures" / "headline" / "answers.json"

QUERIES: dict[str, str] = {f"playground tab {i + 1}": tab["query"] for i, tab in enumerate(EXAMPLE_TABS)} | {
    "readme: control of Kursk": """{
  controlOf(place: "kursk", on: "1917-12-01", calendar: JULIAN) {
    controller { __typename id name }
    alignment disputed confidence
    start { gregorian julian precision edtf }
    end { gregorian julian }
    citations { source { id name } quote locator }
  }
}""",
    "readme: fighting after the rising": """{
  placesWithFighting(from: "1917-11-07", to: "1918-03-31") {
    place { id name lat lon }
    events { id name start { gregorian julian precision } end { gregorian } }
  }
}""",
    "readme: claims about October": """{
  claimsAbout(id: "october-revolution") {
    stances disputed
    claims { stance summary by { name } citations { source { title year } quote } }
  }
  pipes: claims(about: "october-revolution", by: "pipes") { nodes { stance summary } }
  trotsky: claims(about: "october-revolution", by: "trotsky") { nodes { stance summary } }
}""",
    "search": """{ search(text: "Krasnoyask", limit: 3) { __typename id name } }""",
    "place by id": """{ place(id: "kursk") { id name kind lat lon aliases in { id name }
  control { alignment start { text } end { text } controller { id } } } }""",
    "a list page": """{ places(kind: CITY, first: 5, sortBy: NAME) { totalCount
  pageInfo { hasNextPage endCursor } nodes { id name } } }""",
    "places a party held": """{ placesHeld(party: "bolsheviks", on: "1917-12-01", calendar: JULIAN)
  { place { id } control { id alignment } majority { id } } }""",
}


def ask(client: Any, query: str) -> Any:
    """The answer as JSON, without the round-trip count (a measure, not an answer)."""
    body = client.post("/graphql", json={"query": query}).json()
    body.pop("extensions", None)
    return body


def answers(client: Any) -> dict[str, Any]:
    return {name: ask(client, query) for name, query in QUERIES.items()}


def _record() -> None:
    from starlette.testclient import TestClient

    from api.app import create_app
    from schema.config import Config

    with TestClient(create_app(Config.from_env())) as client:
        got = answers(client)
    failed = [name for name, answer in got.items() if "errors" in answer]
    if failed:  # Neo4j down or not loaded: never record an error as the answer
        raise SystemExit(f"not recorded: {', '.join(failed)} answered with errors "
                         "(is Neo4j running, with the project's data loaded?)")
    ANSWERS.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    print(f"Wrote {ANSWERS}")


if __name__ == "__main__":
    _record()
