"""Competency questions: each .rq file under tests/competency/ states a question and its expected answer.

The header holds ``# Question: ...`` and ``# Expected: a | b | c`` (the set of
values of the first column, or ``true``/``false`` for ASK queries).
"""

from __future__ import annotations

from pathlib import Path

import pytest

COMPETENCY_DIR = Path(__file__).parent / "competency"
QUESTIONS = sorted(COMPETENCY_DIR.rglob("*.rq"))


def expected_answer(text: str) -> set[str] | bool:
    for line in text.splitlines():
        if line.startswith("# Expected:"):
            value = line.split(":", 1)[1].strip()
            if value in ("true", "false"):
                return value == "true"
            return {item.strip() for item in value.split(" | ")}
    raise AssertionError("no '# Expected:' line in the query header")


@pytest.mark.parametrize("path", QUESTIONS, ids=[f"{p.parent.name}/{p.stem}" for p in QUESTIONS])
def test_competency_question(path: Path, oxigraph_store):
    text = path.read_text(encoding="utf-8")
    expected = expected_answer(text)
    result = oxigraph_store.query(text)
    if isinstance(expected, bool):
        assert bool(result) is expected
    else:
        answers = {solution[0].value for solution in result}
        assert answers == expected


def test_enough_page_questions():
    assert len(list((COMPETENCY_DIR / "page").glob("*.rq"))) >= 30
