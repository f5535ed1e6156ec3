from __future__ import annotations

from pathlib import Path

import pytest

from training import Catalog, CatalogError, load_catalog, parse_module, render_module
from training.__main__ import main as check_main

RUBRIC = {"greeting", "empathy", "resolution", "scripted_phrasing", "disclosure", "closing"}
KNOWN = RUBRIC | {"mood_trajectory"}
ISSUE_MODULES = {
    "acknowledging-frustration",
    "owning-the-resolution",
    "speaking-without-a-script",
    "required-disclosures",
    "opening-and-closing-a-call",
    "handling-an-angry-customer",
}

VALID = """---
title: Test module
summary: A module for tests.
criteria: [empathy]
minutes: 5
quiz:
  pass_mark: 0.6
  questions:
    - question: One?
      choices: [left, right]
      answer: a
    - question: Two?
      choices: [always, never, sometimes]
      answer: c
    - id: last
      question: Three?
      choices: [left, right]
      answer: b
      explanation: Because.
---
# Body

Some *Markdown*.
"""


def write(folder: Path, name: str, text: str) -> None:
    (folder / f"{name}.md").write_text(text, encoding="utf-8")


def problems_of(text: str, **kwargs) -> tuple[str, ...]:
    with pytest.raises(CatalogError) as info:
        parse_module(text, "broken", **kwargs)
    return info.value.problems


def test_shipped_catalog_has_the_issue_modules_and_trains_every_default_criterion() -> None:
    catalog = load_catalog(known_criteria=KNOWN)
    assert ISSUE_MODULES <= {m.id for m in catalog}
    assert catalog.criteria >= RUBRIC | {"mood_trajectory"}
    assert "mood_trajectory" in catalog.get("handling-an-angry-customer").criteria
    for module in catalog:
        assert len(module.quiz.questions) >= 4, module.id
        assert 0 < module.quiz.pass_mark <= 1
        assert len(module.content) > 800, f"{module.id} content is too thin"
        assert module.content.lstrip().startswith("# ")
        for question in module.quiz.questions:
            assert question.explanation, f"{module.id} {question.id} has no explanation"


def test_shipped_quizzes_do_not_give_the_answer_away_by_position() -> None:
    answers = [q.answer for m in load_catalog() for q in m.quiz.questions]
    most_common_share = max(answers.count(i) for i in set(answers)) / len(answers)
    assert most_common_share < 0.5


def test_catalog_lookups() -> None:
    catalog = load_catalog()
    assert [m.id for m in catalog] == sorted(m.id for m in catalog)
    assert {m.id for m in catalog.training("empathy")} == {
        "acknowledging-frustration",
        "handling-an-angry-customer",
    }
    assert catalog.training("no_such_criterion") == ()
    with pytest.raises(KeyError):
        catalog.get("no-such-module")


def test_parse_valid_module() -> None:
    module = parse_module(VALID, "test-module")
    assert module.title == "Test module"
    assert module.criteria == ("empathy",)
    assert module.minutes == 5
    assert [q.id for q in module.quiz.questions] == ["q1", "q2", "last"]
    assert [q.answer for q in module.quiz.questions] == [0, 2, 1]
    assert module.quiz.question("last").explanation == "Because."
    assert module.content.startswith("# Body")


@pytest.mark.parametrize("module_id", [m.id for m in load_catalog()] + ["test"])
def test_render_then_parse_gives_the_same_module(module_id: str) -> None:
    module = parse_module(VALID, "test") if module_id == "test" else load_catalog().get(module_id)
    assert parse_module(render_module(module), module.id) == module


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("answer: c", "answer: e"),
            "quiz.questions[1].answer: 'e' is not one of the choice letters a-c",
        ),
        (("minutes: 5", "minutes: 0"), "minutes: must be a whole number"),
        (("minutes: 5", "minutes: five"), "minutes: must be a whole number"),
        (("pass_mark: 0.6", "pass_mark: 60"), "quiz.pass_mark: must be within (0, 1]"),
        (("title: Test module", "title: ''"), "title: required text is missing"),
        (("criteria: [empathy]", "criteria: []"), "criteria: must be a non-empty list"),
        (("criteria: [empathy]", "criteria: [Empathy Skills]"), "is not a criterion key"),
        (("criteria: [empathy]", "criteria: [empathy, empathy]"), "listed twice"),
        (("id: last", "id: q1"), "quiz.questions[2].id: 'q1' is used twice"),
        (
            ("choices: [always, never, sometimes]", "choices: [always, always, never]"),
            "two choices have the same text",
        ),
        (("choices: [always, never, sometimes]", "choices: [only]"), "needs at least 2 choices"),
        (("minutes: 5", "minutes: 5\nauthor: me"), "unknown fields author"),
        (("# Body\n\nSome *Markdown*.\n", ""), "content: the Markdown body"),
    ],
)
def test_validation_names_the_field_and_the_problem(change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert old in VALID
    problems = problems_of(VALID.replace(old, new, 1))
    assert any(expected in p for p in problems), problems
    assert all(p.startswith("broken: ") for p in problems)


def test_yaml_booleans_as_choices_get_a_hint() -> None:
    problems = problems_of(VALID.replace("choices: [left, right]", "choices: [yes, no]", 1))
    assert any("put such choices in quotes" in p for p in problems), problems
    quoted = VALID.replace("choices: [left, right]", "choices: ['yes', 'no']", 1)
    assert parse_module(quoted, "quoted").quiz.questions[0].choices == ("yes", "no")


def test_validation_reports_every_problem_at_once() -> None:
    text = VALID.replace("minutes: 5", "minutes: 0").replace("answer: c", "answer: z")
    problems = problems_of(text)
    assert len(problems) == 2


def test_unknown_criterion_is_an_error_only_when_criteria_are_known() -> None:
    text = VALID.replace("criteria: [empathy]", "criteria: [empathie]")
    assert parse_module(text, "typo").criteria == ("empathie",)
    problems = problems_of(text, known_criteria=KNOWN)
    assert problems == ("broken: criteria: 'empathie' is not a known criterion",)


def test_too_short_quiz_and_missing_front_matter() -> None:
    short = VALID.split("    - question: Two?")[0] + "---\nbody\n"
    assert any("at least 3 questions" in p for p in problems_of(short))
    assert "YAML front matter" in problems_of("# Just Markdown\n")[0]
    assert "not valid YAML" in problems_of("---\ntitle: [unclosed\n---\nbody\n")[0]


def test_load_catalog_collects_problems_from_all_files(tmp_path: Path) -> None:
    write(tmp_path, "good", VALID)
    write(tmp_path, "bad-one", VALID.replace("minutes: 5", "minutes: -1"))
    write(tmp_path, "Bad_Two", VALID)
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    joined = "\n".join(info.value.problems)
    assert "bad-one: minutes" in joined
    assert "Bad_Two: id must be lowercase" in joined
    assert "good" not in joined
    assert "bad-one: minutes" in str(info.value)


def test_load_catalog_from_a_custom_folder(tmp_path: Path) -> None:
    write(tmp_path, "only-one", VALID)
    (tmp_path / "notes.txt").write_text("not a module")
    catalog = load_catalog(tmp_path)
    assert [m.id for m in catalog] == ["only-one"]


def test_load_catalog_errors_on_missing_or_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_catalog(tmp_path / "nowhere")
    with pytest.raises(CatalogError, match="no module files"):
        load_catalog(tmp_path)


def test_duplicate_module_ids_are_refused() -> None:
    module = parse_module(VALID, "same")
    with pytest.raises(ValueError, match="unique: same"):
        Catalog(modules=(module, module))


def test_command_line_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check_main([]) == 0
    out = capsys.readouterr().out
    assert "handling-an-angry-customer: 15 min, 5 questions; empathy, mood_trajectory" in out
    assert out.strip().endswith("modules train: " + ", ".join(sorted(KNOWN)))
    write(tmp_path, "bad", VALID.replace("minutes: 5", "minutes: 999"))
    assert check_main([str(tmp_path)]) == 1
    assert "bad: minutes: must be a whole number within 1..240" in capsys.readouterr().err
    assert check_main(["--help"]) == 2


def test_catalog_trains_every_criterion_of_the_scoring_default_rubric() -> None:
    from scoring import default_rubric

    keys = {criterion.key for criterion in default_rubric().criteria}
    assert keys, "the default rubric has no criteria"
    assert keys <= load_catalog().criteria
