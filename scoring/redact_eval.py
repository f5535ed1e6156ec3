"""Measuring the redactor: token-level precision and recall on labelled cases."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scoring.redact import _detect, _Tok, _tokenize

__all__ = ["evaluate_redaction"]


def _label_offsets(case: Mapping[str, Any]) -> list[tuple[str, int, int]]:
    text, pos, out = case["text"], 0, []
    for label in case.get("pii", []):
        if "start" in label:
            start, end = int(label["start"]), int(label["end"])
        else:
            start = text.find(label["text"], pos)
            if start < 0:
                raise ValueError(f"case {case.get('id')!r}: {label['text']!r} is not in its text")
            end = start + len(label["text"])
        out.append((label["kind"], start, end))
        pos = end
    return out


def evaluate_redaction(cases: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Token-level precision and recall of :func:`redact_text` on labelled cases.

    A word or number token counts as PII when it overlaps a labelled span, and as redacted when
    it overlaps a predicted span, whatever the kinds (hiding a card number as ``[PHONE]`` still
    hides it); punctuation is not counted. Span-level figures are given beside them:
    ``span_recall`` (labelled spans whose tokens are all redacted), ``span_precision``
    (predicted spans that touch a label) and ``kind_accuracy`` (those with the right kind).

    :param cases: ``{"id", "text", "pii": [{"kind", "text"} or {"kind", "start", "end"}]}``
        and optionally ``"context"``; a label given by text is its first occurrence after the
        previous label.
    """
    tp = fp = fn = gold_n = gold_found = pred_n = pred_hit = kind_ok = 0
    per_kind: dict[str, dict[str, int]] = {}
    errors = []
    for case in cases:
        gold = _label_offsets(case)
        pred = _detect(case["text"], case.get("context", ""))
        toks = [t for t in _tokenize(case["text"]) if t.kind != "punct"]

        def covered(t: _Tok, spans: Iterable[tuple[int, int]]) -> bool:
            return any(t.start < b and t.end > a for a, b in spans)

        gold_ab = [(a, b) for _, a, b in gold]
        pred_ab = [(p.start, p.end) for p in pred]
        case_fp = sum(covered(t, pred_ab) and not covered(t, gold_ab) for t in toks)
        case_fn = sum(covered(t, gold_ab) and not covered(t, pred_ab) for t in toks)
        tp += sum(covered(t, pred_ab) and covered(t, gold_ab) for t in toks)
        fp, fn = fp + case_fp, fn + case_fn
        if case_fp or case_fn:
            errors.append(case.get("id", case["text"][:40]))
        for kind, a, b in gold:
            stats = per_kind.setdefault(kind, {"labelled": 0, "found": 0})
            found = all(covered(t, pred_ab) for t in toks if t.start < b and t.end > a)
            stats["labelled"] += 1
            stats["found"] += found
            gold_n, gold_found = gold_n + 1, gold_found + found
        for p in pred:
            match = next((k for k, a, b in gold if p.start < b and p.end > a), None)
            pred_n += 1
            pred_hit += match is not None
            kind_ok += match == p.kind

    def ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "span_recall": ratio(gold_found, gold_n),
        "span_precision": ratio(pred_hit, pred_n),
        "kind_accuracy": ratio(kind_ok, pred_hit),
        "per_kind": per_kind,
        "errors": errors,
    }
