"""A bound on one ``re.match`` of a key pattern: patterns that could backtrack without end are refused.

Python's ``re`` backtracks and has no timeout, and the keys a pattern is matched against are
written by whoever can write into the bucket, so a pattern such as ``(a+)+$`` holds a sensor,
a trigger (and with it every trigger of the triggerer) for hours on one crafted key. The rule,
judged on Python's own parse of the pattern:

1. **The body of a repeat matches one way.** Inside ``*``, ``+`` and ``{m,n}`` (n > 1), lazy
   forms included, every choice must be decided by the next character: no repeat of varying
   count (``(a+)+``, ``(.*)*``, ``(ab?)+``) and no alternatives that can begin with the same
   character or match nothing (``(a|aa)*``, ``(a.|.a)*``, ``(a|)*``). Then each iteration
   can consume the key in only one way, and the repeat's only choice is how often it runs.
   An atomic group ``(?>...)`` or a possessive repeat (``a*+``) never gives back what it took,
   so it is one way by construction (Python 3.11+).
2. **At most ~4 million ways to split a key.** Each repeat on a path through the pattern
   multiplies the ways by its number of iteration counts (an unbounded one by 1,024: OSS keys
   are at most 1,023 bytes), alternatives add theirs. Two unbounded repeats (``a/.*/b.*\\.csv``)
   and a few bounded ones pass; three unbounded ones (``.*/.*/.*``) do not: use
   ``wildcard_match`` (``*/*/*``), whose translation never backtracks like that.

Under both, a match takes at most a few million steps on any key OSS can hold.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from typing import Any

from airflow_provider_doris_oss.uris import MAX_KEY_BYTES

MAX_WAYS = 1 << 22
_UNBOUNDED_CHOICES = MAX_KEY_BYTES + 1
# Code points every overlap test tries, besides the literals and range ends the sets name.
_SAMPLE = (*(chr(c) for c in range(0x800)), "\u4e2d", "\uff10", "\U0001f600")
_CATEGORIES = {
    "CATEGORY_DIGIT": re.compile(r"\d"),
    "CATEGORY_NOT_DIGIT": re.compile(r"\D"),
    "CATEGORY_SPACE": re.compile(r"\s"),
    "CATEGORY_NOT_SPACE": re.compile(r"\S"),
    "CATEGORY_WORD": re.compile(r"\w"),
    "CATEGORY_NOT_WORD": re.compile(r"\W"),
}

CharTest = Callable[[str], bool]
_ANY_CHAR: tuple[CharTest, tuple[str, ...]] = (lambda c: True, ())


def _sre(name: str) -> Any:
    """Python's regex parser modules: ``re._parser``/``re._constants`` (3.11+), ``sre_*`` (3.10)."""
    try:
        return importlib.import_module(f"re._{name}")
    except ModuleNotFoundError:
        return importlib.import_module(f"sre_{name.replace('parser', 'parse')}")


class _Ops:
    """The parser's opcodes this module reads (atomic and possessive exist from 3.11 on)."""

    def __init__(self) -> None:
        c = _sre("constants")
        absent = object()
        self.repeats = (c.MAX_REPEAT, c.MIN_REPEAT)
        self.possessive = getattr(c, "POSSESSIVE_REPEAT", absent)
        self.atomic = getattr(c, "ATOMIC_GROUP", absent)
        self.c = c


def regex_problem(pattern: str) -> str | None:
    """Why matching ``pattern`` could take unbounded work, or None; ``pattern`` must compile."""
    parsed = _sre("parser").parse(pattern)
    ops = _Ops()
    ignore_case = bool(parsed.state.flags & re.IGNORECASE)
    dotall = bool(parsed.state.flags & re.DOTALL)
    problem = _walk(list(parsed), ops, inside_repeat=False, fold=ignore_case, dotall=dotall)
    if problem:
        return problem
    ways = _ways(list(parsed), ops)
    if ways > MAX_WAYS:
        return (
            f"its repeats can split one key in about {ways:.1e} ways (more than {MAX_WAYS:,}: three or more "
            "repeats such as .* or \\d+ in a row), and re.match tries them all on a key that does not match"
        )
    return None


def _walk(items: list[Any], ops: _Ops, *, inside_repeat: bool, fold: bool, dotall: bool) -> str | None:
    """Rule 1 over a sequence: inside a repeat, every choice is decided by the next character."""
    c = ops.c
    for op, av in items:
        if op in ops.repeats or op is ops.possessive:
            low, high, body = av
            varying = low != high and op is not ops.possessive
            if inside_repeat and varying:
                return (
                    "it repeats a repeat of varying count (such as (a+)+ or (.*)*): write the inner one once"
                )
            if high > 1 and op is not ops.possessive:
                problem = _walk(list(body), ops, inside_repeat=True, fold=fold, dotall=dotall)
                if problem:
                    return problem
        elif op is ops.atomic:
            continue  # matched once, never re-entered: no choice to multiply
        elif op is c.SUBPATTERN:
            add, delete, body = av[1], av[2], av[3]
            local_fold = (fold or bool(add & re.IGNORECASE)) and not delete & re.IGNORECASE
            local_dotall = (dotall or bool(add & re.DOTALL)) and not delete & re.DOTALL
            problem = _walk(
                list(body), ops, inside_repeat=inside_repeat, fold=local_fold, dotall=local_dotall
            )
            if problem:
                return problem
        elif op is c.BRANCH:
            alternatives = [list(a) for a in av[1]]
            if inside_repeat:
                problem = _overlap(alternatives, ops, fold=fold, dotall=dotall)
                if problem:
                    return problem
            for alternative in alternatives:
                problem = _walk(alternative, ops, inside_repeat=inside_repeat, fold=fold, dotall=dotall)
                if problem:
                    return problem
        elif op is c.GROUPREF_EXISTS and inside_repeat:
            return "it has a conditional group (?(n)...) inside a repeat: move it out of the repeat"
        elif op in (c.ASSERT, c.ASSERT_NOT):
            problem = _walk(list(av[1]), ops, inside_repeat=inside_repeat, fold=fold, dotall=dotall)
            if problem:
                return problem
    return None


def _overlap(alternatives: list[list[Any]], ops: _Ops, *, fold: bool, dotall: bool) -> str | None:
    """Rule 1 for alternatives inside a repeat: none may match nothing, no two may start alike."""
    firsts = []
    for alternative in alternatives:
        first = _first(alternative, ops, dotall=dotall)
        if first is None:
            return (
                "inside a repeat it has an alternative that can match nothing (such as (a|)* or (a?|b)*): "
                "make the whole group optional instead"
            )
        firsts.append(first)
    for i, (test_a, points_a) in enumerate(firsts):
        for test_b, points_b in firsts[i + 1 :]:
            if _meet([test_a, test_b], (*points_a, *points_b), fold=fold):
                return (
                    "inside a repeat it has alternatives that can begin with the same character (such as "
                    "(a|aa)* or (a.|.a)*): make each alternative begin differently, or match them once"
                )
    return None


def _first(items: list[Any], ops: _Ops, *, dotall: bool) -> tuple[CharTest, tuple[str, ...]] | None:
    """The characters a sequence can begin with (a test, and the code points it names); None if it can
    match nothing at all."""
    heads, nullable = _starts(items, ops, dotall=dotall)
    if nullable:
        return None
    return (lambda ch: any(test(ch) for test, _ in heads), tuple(p for _, points in heads for p in points))


def _starts(
    items: list[Any], ops: _Ops, *, dotall: bool
) -> tuple[list[tuple[CharTest, tuple[str, ...]]], bool]:
    """The possible first characters of a sequence, and whether it can match nothing."""
    c = ops.c
    heads: list[tuple[CharTest, tuple[str, ...]]] = []
    for op, av in items:
        nullable = False
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # zero width: the next item decides
        if op is c.LITERAL:
            heads.append(_literal(chr(av)))
        elif op is c.NOT_LITERAL:
            heads.append(_literal(chr(av), negate=True))
        elif op is c.ANY:
            heads.append(_ANY_CHAR if dotall else _literal("\n", negate=True))
        elif op is c.IN:
            heads.append(_class(av, c))
        elif op in ops.repeats or op is ops.possessive:
            inner, empty = _starts(list(av[2]), ops, dotall=dotall)
            heads += inner
            nullable = empty or av[0] == 0
        elif op is c.SUBPATTERN or op is ops.atomic:
            inner, nullable = _starts(list(av[3] if op is c.SUBPATTERN else av), ops, dotall=dotall)
            heads += inner
        elif op is c.BRANCH:
            for alternative in av[1]:
                inner, empty = _starts(list(alternative), ops, dotall=dotall)
                heads += inner
                nullable = nullable or empty
        else:
            heads.append(_ANY_CHAR)  # a back reference or a conditional: anything, maybe nothing
            nullable = True
        if not nullable:
            return heads, False
    return heads, True


def _literal(char: str, *, negate: bool = False) -> tuple[CharTest, tuple[str, ...]]:
    """One character (or any but it) as a test, and the code point it names."""
    if negate:
        return (lambda ch: ch != char, (char,))
    return (lambda ch: ch == char, (char,))


def _between(low: str, high: str) -> CharTest:
    return lambda ch: low <= ch <= high


def _category(pattern: re.Pattern[str]) -> CharTest:
    return lambda ch: pattern.match(ch) is not None


def _class(items: Iterable[Any], c: Any) -> tuple[CharTest, tuple[str, ...]]:
    """A ``[...]`` class as a test over one character, and the code points it names."""
    checks: list[CharTest] = []
    points: list[str] = []
    negate = False
    for op, av in items:
        if op is c.NEGATE:
            negate = True
        elif op is c.LITERAL:
            checks.append(_literal(chr(av))[0])
            points.append(chr(av))
        elif op is c.RANGE:
            low, high = chr(av[0]), chr(av[1])
            checks.append(_between(low, high))
            points += [low, high]
        elif op is c.CATEGORY and str(av) in _CATEGORIES:
            checks.append(_category(_CATEGORIES[str(av)]))
        else:
            return _ANY_CHAR

    def test(ch: str) -> bool:
        return any(check(ch) for check in checks) != negate

    return (test, tuple(points))


def _meet(tests: list[CharTest], points: Iterable[str], *, fold: bool) -> bool:
    """Whether one character passes every test (tried: the named points and every code point below U+0800)."""
    for ch in (*points, *_SAMPLE):
        variants = {ch, ch.lower(), ch.upper()} if fold else {ch}
        if all(any(test(v) for v in variants) for test in tests):
            return True
    return False


def _ways(items: list[Any], ops: _Ops) -> int:
    """Rule 2: how many ways a sequence can split a key (repeats multiply, alternatives add)."""
    c = ops.c
    total = 1
    for op, av in items:
        if op in ops.repeats:
            low, high, body = av
            choices = _UNBOUNDED_CHOICES if high > MAX_KEY_BYTES else high - low + 1
            total *= max(choices, 1) * _ways(list(body), ops)
        elif op is ops.possessive:
            total *= _ways(list(av[2]), ops)
        elif op is c.SUBPATTERN:
            total *= _ways(list(av[3]), ops)
        elif op is ops.atomic:
            continue
        elif op is c.BRANCH:
            total *= sum(_ways(list(a), ops) for a in av[1])
        elif op is c.GROUPREF_EXISTS:
            total *= _ways(list(av[1]), ops) + (_ways(list(av[2]), ops) if av[2] else 1)
        elif op in (c.ASSERT, c.ASSERT_NOT):
            total *= _ways(list(av[1]), ops)
        if total > MAX_WAYS * _UNBOUNDED_CHOICES:
            return total
    return total
