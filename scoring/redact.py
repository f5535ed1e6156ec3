"""PII redaction for transcripts: find card numbers, security codes, SSNs, emails, phone
numbers and dates of birth in text as ASR writes it (digits or spoken words), so the app can
show redacted transcripts by default and bleep the matching audio.

Numbers are read from digit tokens and spoken forms alike ("four one one one", "forty one
eleven", "double five", "oh" for zero). A number becomes PII by its shape (Luhn-valid card,
NANP phone, ``ddd-dd-dddd``) or by the nearest cue words before it ("CVV", "social", "phone");
cues such as "order number" or "tracking" veto it, which keeps order numbers, prices, times and
quantities in the clear.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "BleepSpan",
    "PiiKind",
    "PiiSpan",
    "Redaction",
    "SegmentRedaction",
    "redact_segment",
    "redact_text",
]

PiiKind = Literal["CARD", "CVV", "SSN", "EMAIL", "PHONE", "DOB"]


@dataclass(frozen=True)
class PiiSpan:
    """One piece of PII: its kind and character offsets ``[start, end)`` in the original text."""

    kind: PiiKind
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Redaction:
    """Text with each span replaced by a typed placeholder such as ``[CARD]``."""

    text: str
    spans: tuple[PiiSpan, ...]


@dataclass(frozen=True)
class BleepSpan:
    """Audio time range (seconds) to silence for one span, and the indices of its words."""

    kind: PiiKind
    start: float
    end: float
    words: tuple[int, ...]


@dataclass(frozen=True)
class SegmentRedaction:
    """Redacted text of a word list; span offsets refer to the words joined and stripped."""

    text: str
    spans: tuple[PiiSpan, ...]
    bleeps: tuple[BleepSpan, ...]


@dataclass(frozen=True)
class _Tok:
    text: str
    low: str
    kind: str  # url | email | ord | id | num | word | punct
    start: int
    end: int


@dataclass(frozen=True)
class _Group:
    digits: str
    first: int  # token indices, end exclusive
    last: int


_TOKEN_RE = re.compile(
    r"(?P<url>(?:https?://|www\.)\S+)"
    r"|(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<ord>\d+(?:st|nd|rd|th)\b)"
    r"|(?P<id>(?:[A-Za-z]+\d|\d+[A-Za-z])[A-Za-z0-9]*)"
    r"|(?P<num>\$?\d(?:[\d,./:-]*\d)?%?)"
    r"|(?P<word>[A-Za-z]+(?:['’][A-Za-z]+)*)"
    r"|(?P<punct>[^\w\s])"
)
_UNITS = {"zero": 0, "oh": 0, "o": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_UNITS |= {"six": 6, "seven": 7, "eight": 8, "nine": 9}
_TEENS = {w: 10 + i for i, w in enumerate("ten eleven twelve thirteen fourteen fifteen".split())}
_TEENS |= {"sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {w: i + 2 for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty".split())}
_TENS["ninety"] = 9
_REPEAT = {"double": 2, "triple": 3}
_RUN_FILLERS = {"uh", "um", "er", "erm", "ah", "hmm", "dash", "hyphen"}
_RUN_JOINERS = set(",.-;()+")
_UNIT_WORDS = set(
    "dollar dollars bucks cents percent minute minutes hour hours day days week weeks month "
    "months year years items units pounds euros am pm times people miles".split()
)
_CUES: dict[str, tuple[str, ...]] = {
    "CARD": ("card", "credit", "debit", "visa", "mastercard", "amex", "american express"),
    "CVV": ("cvv", "cvc", "cvv2", "cvc2", "c v v", "c v c", "cid", "security code")
    + ("code on the back", "digits on the back", "code on the front"),
    "SSN": ("social", "ssn", "s s n", "social security"),
    "PHONE": ("phone", "cell", "mobile", "telephone", "landline", "call me", "reach me")
    + ("text me", "call back", "callback", "area code", "fax", "whatsapp"),
    "NEG": ("order", "confirmation", "tracking", "reference", "invoice", "case", "ticket")
    + ("account", "member", "policy", "claim", "model", "serial", "part", "flight", "gate")
    + ("zip", "postal", "extension", "room", "transaction", "receipt", "press", "sku", "item")
    + ("version", "expiry", "expiration", "expires", "exp", "valid", "pin", "ending"),
    "DOB": ("birth", "dob", "d o b", "born on", "birthday", "birthdate"),
}
_CUE_WINDOW = 10  # word tokens between a cue and the number it introduces
_MONTHS = set(
    "january february march april may june july august september october november december "
    "jan feb apr jun jul aug sep sept oct nov dec".split()
)
_ORDINALS = set(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth "
    "thirtieth".split()
)
_DATE_LEAD = set("date is it's its it was my uh um sure that's the on".split())
_DATE_JOIN = {"of", "the", "and", ",", "/", "-"}
_TLDS = set("com net org edu gov co uk io us info biz me ca de fr au in mil ie nz".split())
_EMAIL_SEPS = {"dot": ".", "period": ".", "underscore": "_", "dash": "-", "hyphen": "-"}
_EMAIL_STOP = set(
    "is was are it it's its email e mail address me my the that's to at on and or um uh so "
    "yes yeah okay ok sure i i'm you we they them us him her this that there here look looked "
    "go went check checked visit visited shop shopped bought order ordered log logged sign "
    "signed site website online send sent use try call reach be from".split()
)
_SSN_RE = re.compile(r"(?!000|666|9)\d{3}-(?!00)\d{2}-(?!0000)\d{4}")
_DOTTED_PHONE_RE = re.compile(r"\d{3}\.\d{3}\.\d{4}")
_THOUSANDS_RE = re.compile(r"\d{1,3}(?:,\d{3})+")


def _tokenize(text: str) -> list[_Tok]:
    toks = []
    for m in _TOKEN_RE.finditer(text):
        assert m.lastgroup is not None
        low = m.group().lower().replace("’", "'")
        toks.append(_Tok(m.group(), low, m.lastgroup, m.start(), m.end()))
    return toks


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _is_quantity(tok: _Tok) -> bool:
    """Money, percentages, times, decimals and 1,000-style numbers are never PII digits."""
    t = tok.text
    if any(c in t for c in "$%:/"):
        return True
    if "." in t and not _DOTTED_PHONE_RE.fullmatch(t):
        return True
    return bool(_THOUSANDS_RE.fullmatch(t))


def _two_digits(toks: list[_Tok], j: int) -> tuple[str, int]:
    """Read 'forty one', 'twelve' or 'five' at j as two digits; ('', j) when none."""
    low = toks[j].low if j < len(toks) else ""
    if low in _TENS:
        nxt = toks[j + 1].low if j + 1 < len(toks) else ""
        if _UNITS.get(nxt, 0) > 0 and nxt not in ("o", "oh"):
            return f"{_TENS[low]}{_UNITS[nxt]}", j + 2
        return f"{_TENS[low]}0", j + 1
    if low in _TEENS:
        return str(_TEENS[low]), j + 1
    if low in _UNITS and low not in ("o", "oh"):
        return f"0{_UNITS[low]}", j + 1
    return "", j


def _read_number(toks: list[_Tok], i: int, in_run: bool) -> tuple[str, int] | None:
    """Digits spoken or written at token i, and the index after them; None if not a number."""
    tok, n = toks[i], len(toks)
    nxt = toks[i + 1] if i + 1 < n else None
    if tok.kind == "num":
        return None if _is_quantity(tok) else (re.sub(r"\D", "", tok.text), i + 1)
    if tok.low in _REPEAT and nxt is not None and nxt.low in _UNITS:
        return str(_UNITS[nxt.low]) * _REPEAT[tok.low], i + 2
    if tok.low in _REPEAT and nxt is not None and nxt.kind == "num" and not _is_quantity(nxt):
        digits = re.sub(r"\D", "", nxt.text)  # Whisper writes "double 5-5-1..."
        return digits[0] * (_REPEAT[tok.low] - 1) + digits, i + 2
    if tok.low in _UNITS:
        if tok.low in ("o", "oh") and not in_run:
            adjacent = nxt is not None and nxt.start == tok.end + 1
            if not (adjacent and (nxt.kind == "num" or nxt.low in _UNITS or nxt.low in _TENS)):
                return None
        head = str(_UNITS[tok.low])
        if nxt is not None and nxt.low in ("hundred", "thousand"):
            j = i + 2
            has_and = j < n and toks[j].low == "and"
            j += has_and
            tail, k = _two_digits(toks, j)
            if nxt.low == "hundred" and tail and (has_and or not tail.startswith("0")):
                return head + tail, k
            if nxt.low == "thousand" and tail:
                return head + "0" + tail, k
            return head + ("00" if nxt.low == "hundred" else "000"), i + 2
        return head, i + 1
    if tok.low in _TENS or tok.low in _TEENS:
        return _two_digits(toks, i)
    return None


def _runs(toks: list[_Tok], taken: set[int]) -> list[list[_Group]]:
    """Maximal sequences of numbers joined only by commas, dashes, periods and fillers."""
    runs: list[list[_Group]] = []
    cur: list[_Group] = []
    i = 0
    while i < len(toks):
        got = None if i in taken else _read_number(toks, i, bool(cur))
        if got is not None:
            cur.append(_Group(got[0], i, got[1]))
            i = got[1]
            continue
        tok = toks[i]
        joins = tok.low in _RUN_FILLERS or (tok.kind == "punct" and tok.text in _RUN_JOINERS)
        if not (cur and joins and i not in taken):
            if cur:
                runs.append(cur)
            cur = []
        i += 1
    if cur:
        runs.append(cur)
    return runs


def _find_cues(toks: list[_Tok]) -> list[tuple[int, int, str]]:
    """(first token, last token, label) of every cue phrase, matched on words only."""
    words = [i for i, t in enumerate(toks) if t.kind != "punct"]
    lows = [re.sub(r"'s$", "", toks[i].low) for i in words]
    found = []
    for label, phrases in _CUES.items():
        for phrase in phrases:
            parts = phrase.split()
            for w in range(len(words) - len(parts) + 1):
                if lows[w : w + len(parts)] == parts:
                    found.append((words[w], words[w + len(parts) - 1], label))
    return sorted(found, key=lambda c: (c[1], c[1] - c[0]))


def _cue_before(toks: list[_Tok], cues: list[tuple[int, int, str]], first: int) -> str | None:
    for _, end, label in reversed(cues):
        if end < first:
            between = sum(1 for t in toks[end + 1 : first] if t.kind != "punct")
            return label if between <= _CUE_WINDOW else None
    return None


def _is_phone(digits: str) -> bool:
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    return len(digits) == 10 and digits[0] in "23456789" and digits[3] in "23456789"


def _best_sub(run: list[_Group], test: Any) -> tuple[int, int] | None:
    """Longest contiguous slice of groups whose digits pass ``test``."""
    best = None
    for a in range(len(run)):
        for b in range(len(run), a, -1):
            if test("".join(g.digits for g in run[a:b])) and (
                best is None or b - a > best[1] - best[0]
            ):
                best = (a, b)
    return best


def _classify(run: list[_Group], cue: str | None, toks: list[_Tok]) -> list[tuple[str, int, int]]:
    """PII found in one run of numbers, as (kind, first token, end token)."""
    if cue in ("NEG", "DOB"):
        return []
    digits = "".join(g.digits for g in run)
    after = run[-1].last
    follow = next((t for t in toks[after:] if t.kind != "punct"), None)
    if follow is not None and follow.low in _UNIT_WORDS:
        return []
    card = _best_sub(run, lambda d: 13 <= len(d) <= 19 and d[0] in "23456" and _luhn(d))
    if card is not None:
        a, b = card
        if len(digits) - sum(len(g.digits) for g in run[a:b]) <= 4:
            a, b = 0, len(run)  # digits glued to a card: its CVV, expiry or an ASR repeat
        rest = _classify(run[:a], cue, toks) if a else []
        return rest + [("CARD", run[a].first, run[b - 1].last)]
    span = ("", run[0].first, after)
    if cue == "CARD" and 13 <= len(digits) <= 19:
        return [("CARD", *span[1:])]  # ASR mangled a digit: the cue is trusted over Luhn
    if cue == "SSN" and len(digits) in (4, 9):
        return [("SSN", *span[1:])]
    if len(run) == 1 and _SSN_RE.fullmatch(toks[run[0].first].text):
        return [("SSN", *span[1:])]
    if cue == "CVV" and len(digits) in (3, 4):
        return [("CVV", *span[1:])]
    if cue == "PHONE" and (len(digits) in (7, 10) or (len(digits) == 11 and digits[0] == "1")):
        return [("PHONE", *span[1:])]
    if cue in (None, "PHONE"):
        sub = _best_sub(run, _is_phone)
        if sub is not None:
            return [("PHONE", run[sub[0]].first, run[sub[1] - 1].last)]
    return []


def _find_emails(toks: list[_Tok]) -> list[tuple[int, int]]:
    """Written addresses, and spoken ones: 'john dot smith at gmail dot com'."""
    found = [(i, i + 1) for i, t in enumerate(toks) if t.kind == "email"]

    def sep_at(k: int) -> bool:  # "dot", or a "." glued to both neighbours
        if toks[k].low in _EMAIL_SEPS:
            return True
        t = toks[k]
        glued = 0 < k < len(toks) - 1 and toks[k - 1].end == t.start == toks[k + 1].start - 1
        return t.text == "." and glued

    for i, tok in enumerate(toks):
        if tok.low != "at" or i == 0:
            continue
        j = i + 1
        if j < len(toks) and toks[j].low in ("sign", "symbol"):
            j += 1
        end, k = None, j
        while k < len(toks) and toks[k].kind in ("word", "id"):
            if k > j and toks[k].low in _TLDS:
                end = k + 1
            if k + 2 < len(toks) and sep_at(k + 1):
                k += 2
            else:
                break
        if end is None:
            continue
        start, k, count = i, i - 1, 0
        while k >= 0 and count < 8:
            t = toks[k]
            if t.low in _EMAIL_STOP or (t.kind == "punct" and not sep_at(k)):
                break
            if t.kind not in ("word", "id", "num") and not sep_at(k):
                break
            start, count, k = k, count + 1, k - 1
        while start < i and sep_at(start):
            start += 1
        if start < i:
            found.append((start, end))
    return found


def _find_dobs(toks: list[_Tok], cues: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """The date that follows a date-of-birth cue, in any spoken or written form."""

    def is_date(t: _Tok) -> bool:
        return (
            t.kind in ("num", "ord")
            or t.low in _MONTHS
            or t.low in _ORDINALS
            or t.low in ("hundred", "thousand")
            or t.low in _UNITS
            or t.low in _TEENS
            or t.low in _TENS
        )

    found = []
    for _, end, label in cues:
        if label != "DOB":
            continue
        k, skipped = end + 1, 0
        while k < len(toks) and skipped < 6 and not is_date(toks[k]):
            if toks[k].kind != "punct" and toks[k].low not in _DATE_LEAD:
                break
            k, skipped = k + 1, skipped + 1
        first, last = k, None
        while k < len(toks) and k - first < 12:
            if is_date(toks[k]):
                last = k
            elif toks[k].low not in _DATE_JOIN:
                break
            k += 1
        if last is not None:
            found.append((first, last + 1))
    return found


def _detect(text: str, context: str = "") -> tuple[PiiSpan, ...]:
    shift = len(context) + 1 if context else 0
    full = f"{context}\n{text}" if context else text
    toks = _tokenize(full)
    cues = _find_cues(toks)
    hits: list[tuple[str, int, int]] = [("EMAIL", a, b) for a, b in _find_emails(toks)]
    hits += [("DOB", a, b) for a, b in _find_dobs(toks, cues)]
    taken: set[int] = set()
    for _, a, b in hits:
        taken.update(range(a, b))
    for a, b, _ in cues:
        taken.update(range(a, b + 1))
    for run in _runs(toks, taken):
        hits += _classify(run, _cue_before(toks, cues, run[0].first), toks)
    spans: list[PiiSpan] = []
    for kind, a, b in sorted(hits, key=lambda h: (h[1], -h[2])):
        start, end = toks[a].start - shift, toks[b - 1].end - shift
        if start < 0 or (spans and start < spans[-1].end):
            continue
        spans.append(PiiSpan(kind, start, end, text[start:end]))  # type: ignore[arg-type]
    return tuple(spans)


def redact_text(text: str, context: str = "") -> Redaction:
    """Replace every PII span in ``text`` with ``[KIND]``, keeping the spans for audit.

    :param context: text said just before (the previous turns), read only for cue words: the
        agent asks "and the security code?" and the customer's next segment holds the digits.
    """
    spans = _detect(text, context)
    out, pos = [], 0
    for span in spans:
        out += [text[pos : span.start], f"[{span.kind}]"]
        pos = span.end
    out.append(text[pos:])
    return Redaction("".join(out), spans)


def redact_segment(words: Sequence[Mapping[str, Any]], context: str = "") -> SegmentRedaction:
    """Redact a faster-whisper word list and give the time ranges to bleep in the audio.

    :param words: ``{"start", "end", "word", "probability"}`` dicts; words carry their leading
        space and punctuation, as faster-whisper writes them.
    :param context: as for :func:`redact_text`.
    """
    joined = "".join(str(w["word"]) for w in words)
    lead = len(joined) - len(joined.lstrip())
    result = redact_text(joined.strip(), context)
    bounds, pos = [], -lead
    for w in words:
        raw = str(w["word"])
        inner = raw.strip()
        first = pos + (raw.find(inner) if inner else 0)
        bounds.append((first, first + len(inner)))
        pos += len(raw)
    bleeps = []
    for span in result.spans:
        hit = tuple(i for i, (a, b) in enumerate(bounds) if a < span.end and b > span.start)
        if hit:
            start = min(float(words[i]["start"]) for i in hit)
            end = max(float(words[i]["end"]) for i in hit)
            bleeps.append(BleepSpan(span.kind, start, end, hit))
    return SegmentRedaction(result.text, result.spans, tuple(bleeps))
