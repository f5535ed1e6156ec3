"""Module catalog: Markdown files with a YAML front matter, parsed and validated into `Module`.

A module file is ``training/modules/<id>.md``::

    ---
    title: Acknowledging frustration
    summary: One sentence for the catalog list.
    criteria: [empathy]
    minutes: 10
    quiz:
      pass_mark: 0.75
      questions:
        - question: Which reply acknowledges the feeling?
          choices: ["...", "..."]
          answer: b
          explanation: Why b is right.
    ---
    # Markdown content ...

Answers are letters (a, b, c, ...) because that is how a trainer writing a quiz thinks of them.
Every problem in a file is reported at once, each with the field it concerns.
"""

from __future__ import annotations

import re
import string
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

import yaml

from training.types import Catalog, Module, Quiz, QuizQuestion

__all__ = ["CatalogError", "MODULES_DIR", "load_catalog", "parse_module", "render_module"]

MODULES_DIR = Path(__file__).resolve().parent / "modules"
MODULE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
CRITERION_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
LETTERS = string.ascii_lowercase
MAX_MINUTES = 240
FIELDS = {"title", "summary", "criteria", "minutes", "quiz"}


class CatalogError(ValueError):
    """A module file (or several) is invalid; ``problems`` lists each as 'where: what'."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("invalid training catalog:\n  " + "\n  ".join(self.problems))


def _split_front_matter(text: str) -> tuple[str, str] | None:
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :])
    return None


def _text(data: dict[str, Any], key: str, where: str, problems: list[str]) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}{key}: required text is missing or empty")
        return ""
    return value.strip()


def _question(
    raw: Any, position: int, problems: list[str], where: str, seen: set[str]
) -> QuizQuestion | None:
    here = f"{where}quiz.questions[{position}]."
    if not isinstance(raw, dict):
        problems.append(f"{here[:-1]}: must be a mapping with question, choices and answer")
        return None
    unknown = set(raw) - {"id", "question", "choices", "answer", "explanation"}
    if unknown:
        problems.append(f"{here[:-1]}: unknown fields {', '.join(sorted(unknown))}")
    question_id = str(raw.get("id", f"q{position + 1}"))
    if question_id in seen:
        problems.append(f"{here}id: {question_id!r} is used twice")
    seen.add(question_id)
    prompt = _text(raw, "question", here, problems)
    choices = raw.get("choices")
    if not isinstance(choices, list) or not all(isinstance(c, str) and c.strip() for c in choices):
        hint = ""
        if isinstance(choices, list) and any(isinstance(c, bool) for c in choices):
            hint = " (YAML reads bare yes/no/on/off as true/false: put such choices in quotes)"
        problems.append(f"{here}choices: must be a list of non-empty texts{hint}")
        return None
    if not 2 <= len(choices) <= len(LETTERS):
        problems.append(f"{here}choices: needs at least 2 choices, got {len(choices)}")
        return None
    if len({c.strip() for c in choices}) != len(choices):
        problems.append(f"{here}choices: two choices have the same text")
    answer = raw.get("answer")
    valid = LETTERS[: len(choices)]
    if not isinstance(answer, str) or len(answer.strip()) != 1 or answer.strip() not in valid:
        problems.append(
            f"{here}answer: {answer!r} is not one of the choice letters {valid[0]}-{valid[-1]}"
        )
        return None
    explanation = raw.get("explanation", "")
    if not isinstance(explanation, str):
        problems.append(f"{here}explanation: must be text")
        explanation = ""
    return QuizQuestion(
        id=question_id,
        prompt=prompt,
        choices=tuple(c.strip() for c in choices),
        answer=valid.index(answer.strip()),
        explanation=explanation.strip(),
    )


def _quiz(raw: Any, where: str, problems: list[str]) -> Quiz | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}quiz: required mapping with pass_mark and questions is missing")
        return None
    pass_mark = raw.get("pass_mark")
    if isinstance(pass_mark, bool) or not isinstance(pass_mark, int | float):
        problems.append(f"{where}quiz.pass_mark: must be a number within (0, 1], got {pass_mark!r}")
    elif not 0 < pass_mark <= 1:
        problems.append(f"{where}quiz.pass_mark: must be within (0, 1], got {pass_mark!r}")
    raw_questions = raw.get("questions")
    if not isinstance(raw_questions, list) or len(raw_questions) < 3:
        problems.append(f"{where}quiz.questions: a quiz needs at least 3 questions")
        return None
    seen: set[str] = set()
    questions = [_question(q, i, problems, where, seen) for i, q in enumerate(raw_questions)]
    if any(q is None for q in questions) or not isinstance(pass_mark, int | float):
        return None
    return Quiz(questions=tuple(q for q in questions if q is not None), pass_mark=float(pass_mark))


def parse_module(
    text: str, module_id: str, *, known_criteria: Collection[str] | None = None
) -> Module:
    """Parse one module file's text; the app uses this too for modules edited in the UI.

    :param known_criteria: when given, criteria outside it are errors (catches typos such as
        ``empathie`` that would make a module silently unreachable).
    :raise CatalogError: listing every problem found.
    """
    where = f"{module_id}: "
    problems: list[str] = []
    if not MODULE_ID.match(module_id):
        problems.append(f"{where}id must be lowercase letters, digits and dashes")
    parts = _split_front_matter(text)
    if parts is None:
        raise CatalogError([f"{where}must start with a YAML front matter between '---' lines"])
    header, content = parts
    try:
        data = yaml.safe_load(header)
    except yaml.YAMLError as exc:
        raise CatalogError([f"{where}front matter is not valid YAML: {exc}"]) from exc
    if not isinstance(data, dict):
        raise CatalogError([f"{where}front matter must be a mapping of fields"])
    unknown = set(data) - FIELDS
    if unknown:
        problems.append(f"{where}unknown fields {', '.join(sorted(map(str, unknown)))}")
    title = _text(data, "title", where, problems)
    summary = _text(data, "summary", where, problems)
    criteria = data.get("criteria")
    if not isinstance(criteria, list) or not criteria:
        problems.append(f"{where}criteria: must be a non-empty list of criterion keys")
        criteria = []
    for criterion in criteria:
        if not isinstance(criterion, str) or not CRITERION_KEY.match(criterion):
            problems.append(f"{where}criteria: {criterion!r} is not a criterion key")
        elif known_criteria is not None and criterion not in known_criteria:
            problems.append(f"{where}criteria: {criterion!r} is not a known criterion")
    if len(set(map(str, criteria))) != len(criteria):
        problems.append(f"{where}criteria: a criterion is listed twice")
    minutes = data.get("minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
        problems.append(f"{where}minutes: must be a whole number within 1..{MAX_MINUTES}")
    if not content.strip():
        problems.append(f"{where}content: the Markdown body after the front matter is empty")
    quiz = _quiz(data.get("quiz"), where, problems)
    if problems or quiz is None:
        raise CatalogError(problems)
    return Module(
        id=module_id,
        title=title,
        summary=summary,
        criteria=tuple(criteria),
        minutes=minutes,
        content=content.strip() + "\n",
        quiz=quiz,
    )


def render_module(module: Module) -> str:
    """The file text for ``module``; ``parse_module`` reads it back to an equal module."""
    questions = []
    for question in module.quiz.questions:
        entry: dict[str, Any] = {
            "id": question.id,
            "question": question.prompt,
            "choices": list(question.choices),
            "answer": LETTERS[question.answer],
        }
        if question.explanation:
            entry["explanation"] = question.explanation
        questions.append(entry)
    header = {
        "title": module.title,
        "summary": module.summary,
        "criteria": list(module.criteria),
        "minutes": module.minutes,
        "quiz": {"pass_mark": module.quiz.pass_mark, "questions": questions},
    }
    dumped = yaml.safe_dump(header, sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{dumped}---\n{module.content}"


def load_catalog(
    directory: str | Path | None = None, *, known_criteria: Collection[str] | None = None
) -> Catalog:
    """Load and validate every ``*.md`` module in ``directory`` (default: the shipped catalog).

    :raise CatalogError: listing the problems of every invalid file, not just the first.
    :raise FileNotFoundError: when the directory does not exist.
    """
    folder = Path(directory) if directory is not None else MODULES_DIR
    if not folder.is_dir():
        raise FileNotFoundError(f"training catalog directory {folder} does not exist")
    modules: list[Module] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.md")):
        try:
            text = path.read_text(encoding="utf-8")
            modules.append(parse_module(text, path.stem, known_criteria=known_criteria))
        except CatalogError as exc:
            problems.extend(exc.problems)
        except UnicodeDecodeError as exc:
            problems.append(f"{path.stem}: not UTF-8 text ({exc.reason})")
    if not modules and not problems:
        problems.append(f"{folder}: no module files (*.md) found")
    if problems:
        raise CatalogError(problems)
    return Catalog(modules=tuple(modules))
