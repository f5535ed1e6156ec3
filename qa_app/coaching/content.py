"""Module content: safe Markdown rendering and conversion between rows and library modules.

A module's Markdown is written by trainers and read by agents, so it is rendered with raw HTML
disabled and the result is sanitized again with an allow-list (nh3): no script, no event
handlers, no ``javascript:`` links, whatever a trainer pastes.
"""

from __future__ import annotations

import string
from typing import Any

import nh3
import yaml
from markdown_it import MarkdownIt
from markupsafe import Markup

import training
from qa_app.coaching.models import CoachingModule

LETTERS = string.ascii_lowercase
ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li",
    "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"style"}, "td": {"style"}}

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(text: str) -> Markup:
    """Markdown to HTML that is safe to put in a page as is."""
    html = _markdown.render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )
    return Markup(clean)  # noqa: S704  (sanitized just above)


def quiz_to_json(quiz: training.Quiz) -> dict[str, Any]:
    """How a quiz is stored in ``CoachingModule.quiz``: answers as 0-based indexes."""
    return {
        "pass_mark": quiz.pass_mark,
        "questions": [
            {
                "id": q.id,
                "prompt": q.prompt,
                "choices": list(q.choices),
                "answer": q.answer,
                "explanation": q.explanation,
            }
            for q in quiz.questions
        ],
    }


def library_quiz(data: dict[str, Any]) -> training.Quiz:
    return training.Quiz(
        questions=tuple(
            training.QuizQuestion(
                id=str(q["id"]),
                prompt=q["prompt"],
                choices=tuple(q["choices"]),
                answer=int(q["answer"]),
                explanation=q.get("explanation", ""),
            )
            for q in data.get("questions", [])
        ),
        pass_mark=float(data.get("pass_mark", 1.0)),
    )


def library_module(module: CoachingModule) -> training.Module:
    return training.Module(
        id=module.slug,
        title=module.title,
        summary=module.summary,
        criteria=tuple(module.criteria),
        minutes=module.minutes,
        content=module.content_md,
        quiz=library_quiz(module.quiz),
    )


def quiz_yaml(quiz: dict[str, Any]) -> str:
    """The quiz in the catalog file's YAML form (answer letters), for the edit form."""
    questions = []
    for q in quiz.get("questions", []):
        entry: dict[str, Any] = {
            "id": q["id"],
            "question": q["prompt"],
            "choices": list(q["choices"]),
            "answer": LETTERS[int(q["answer"])],
        }
        if q.get("explanation"):
            entry["explanation"] = q["explanation"]
        questions.append(entry)
    data = {"pass_mark": quiz.get("pass_mark", 0.75), "questions": questions}
    # no folding: a trainer edits one question or choice per line
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=4096)


def module_file_text(
    *, title: str, summary: str, criteria: list[str], minutes: int, content: str, quiz: Any
) -> str:
    """A catalog file assembled from form fields, so the library validates UI edits exactly as
    it validates shipped files."""
    header = {
        "title": title,
        "summary": summary,
        "criteria": criteria,
        "minutes": minutes,
        "quiz": quiz,
    }
    dumped = yaml.safe_dump(header, sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{dumped}---\n{content}"
