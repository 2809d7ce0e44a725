"""The selection language shared by queues (over agents) and routing plans (over tasks).

A tiny tokenizer and recursive-descent parser compile text once into Python closures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

# A context is what an expression reads names from: an agent's attributes plus "skills", or a
# task's attributes plus "channel". Values are plain JSON-like data.
Context = Mapping[str, Any]
Evaluator = Callable[[Context], Any]

KEYWORDS: Final = {"and", "or", "not", "in", "true", "false"}
COMPARISONS: Final = {"==", "!=", "<", "<=", ">", ">="}
VALUE: Final = "a value (name, number, string, list or '(')"


class ExpressionError(ValueError):
    """A syntax error at a 0-based character position, saying what the parser expected there."""

    def __init__(self, position: int, expected: str, found: str = "") -> None:
        self.position = position
        self.expected = expected
        self.found = found
        self.message = f"expected {expected} at position {position}"
        super().__init__(self.message + (f" (found {found})" if found else ""))


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "str", "name", "op", "kw", "end"
    text: str
    position: int
    value: Any = None


@dataclass(frozen=True)
class Expr:
    """A parsed expression: `evaluate(context)` is the fast closure, `text` the source."""

    text: str
    evaluate: Evaluator
    names: frozenset[str]

    def __call__(self, context: Context) -> bool:
        return bool(self.evaluate(context))


def _number(text: str, start: int) -> tuple[Token, int]:
    i = start
    while i < len(text) and (text[i].isdigit() or text[i] == "."):
        i += 1
    literal = text[start:i]
    try:
        number: float | int = float(literal) if "." in literal else int(literal)
    except ValueError:
        raise ExpressionError(start, "a number", repr(literal)) from None
    return Token("num", literal, start, number), i


def _string(text: str, start: int) -> tuple[Token, int]:
    quote, i, n = text[start], start + 1, len(text)
    chars: list[str] = []
    while i < n and text[i] != quote:
        if text[i] == "\\" and i + 1 < n:
            i += 1
        chars.append(text[i])
        i += 1
    if i >= n:
        raise ExpressionError(n, f"a closing {quote}")
    return Token("str", text[start : i + 1], start, "".join(chars)), i + 1


def _word(text: str, start: int) -> tuple[Token, int]:
    i = start
    while i < len(text) and (text[i].isalnum() or text[i] in "_."):
        i += 1
    word = text[start:i]
    if word.endswith(".") or ".." in word:
        raise ExpressionError(start + len(word.rstrip(".")), "a name after '.'")
    return Token("kw" if word in KEYWORDS else "name", word, start), i


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit()):
            token, i = _number(text, i)
        elif ch in "\"'":
            token, i = _string(text, i)
        elif ch.isalpha() or ch == "_":
            token, i = _word(text, i)
        elif text.startswith(("==", "!=", "<=", ">="), i):
            token, i = Token("op", text[i : i + 2], i), i + 2
        elif ch in "<>()[],-":
            token, i = Token("op", ch, i), i + 1
        else:
            raise ExpressionError(i, "an operator, name, number or string", repr(ch))
        tokens.append(token)
    tokens.append(Token("end", "", n))
    return tokens


def _found(token: Token) -> str:
    return "end of text" if token.kind == "end" else repr(token.text)


class _Parser:
    """Recursive descent: or > and > not > comparison > operand; each returns a closure."""

    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0
        self.names: set[str] = set()

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at(self, kind: str, text: str) -> bool:
        token = self.current
        return token.kind == kind and token.text == text

    def fail(self, expected: str) -> ExpressionError:
        return ExpressionError(self.current.position, expected, _found(self.current))

    def parse(self) -> Evaluator:
        if self.current.kind == "end":
            raise self.fail(VALUE)
        node = self.parse_or()
        if self.current.kind != "end":
            raise self.fail("'and', 'or' or the end of the expression")
        return node

    def parse_or(self) -> Evaluator:
        left = self.parse_and(None)
        while self.at("kw", "or"):
            self.advance()
            left = _or(left, self.parse_and("or"))
        return left

    def parse_and(self, after: str | None) -> Evaluator:
        left = self.parse_not(after)
        while self.at("kw", "and"):
            self.advance()
            left = _and(left, self.parse_not("and"))
        return left

    def parse_not(self, after: str | None) -> Evaluator:
        if self.at("kw", "not"):
            self.advance()
            inner = self.parse_not("not")
            return lambda ctx: not inner(ctx)
        return self.parse_comparison(after)

    def parse_comparison(self, after: str | None) -> Evaluator:
        left = self.parse_operand(after)
        token = self.current
        if token.kind == "op" and token.text in COMPARISONS:
            self.advance()
            return _compare(token.text, left, self.parse_operand(repr(token.text)))
        if self.at("kw", "in"):
            self.advance()
            return _contains(left, self.parse_operand("'in'"))
        if self.at("kw", "not"):
            self.advance()
            if not self.at("kw", "in"):
                raise self.fail("'in' after 'not'")
            self.advance()
            right = self.parse_operand("'not in'")
            inside = _contains(left, right)
            return lambda ctx: not inside(ctx)
        return left

    def parse_operand(self, after: str | None) -> Evaluator:
        token = self.current
        expected = VALUE if after is None else f"a value after {_quote(after)}"
        if token.kind in ("num", "str"):
            self.advance()
            return _constant(token.value)
        if token.kind == "kw" and token.text in ("true", "false"):
            self.advance()
            return _constant(token.text == "true")
        if token.kind == "name":
            self.advance()
            self.names.add(token.text)
            return _name(token.text)
        if token.kind == "op" and token.text == "-":
            self.advance()
            number = self.current
            if number.kind != "num":
                raise self.fail("a number after '-'")
            self.advance()
            return _constant(-number.value)
        if token.kind == "op" and token.text == "(":
            self.advance()
            inner = self.parse_or()
            if not self.at("op", ")"):
                raise self.fail("')'")
            self.advance()
            return inner
        if token.kind == "op" and token.text == "[":
            return self.parse_list()
        raise ExpressionError(token.position, expected, _found(token))

    def parse_list(self) -> Evaluator:
        self.advance()
        items: list[Evaluator] = []
        if not self.at("op", "]"):
            items.append(self.parse_operand("'['"))
            while self.at("op", ","):
                self.advance()
                items.append(self.parse_operand("','"))
        if not self.at("op", "]"):
            raise self.fail("',' or ']'")
        self.advance()
        return lambda ctx: [item(ctx) for item in items]


def _quote(after: str) -> str:
    return after if after.startswith("'") else f"'{after}'"


def _constant(value: Any) -> Evaluator:
    return lambda ctx: value


def _name(dotted: str) -> Evaluator:
    parts = dotted.split(".")
    if len(parts) == 2 and parts[0] == "skills":
        # A missing skill is level 0, so `skills.x >= 1` reads "has skill x".
        skill = parts[1]
        return lambda ctx: (ctx.get("skills") or {}).get(skill, 0)
    if len(parts) == 1:
        return lambda ctx: ctx.get(dotted)
    head, rest = parts[0], parts[1:]

    def lookup(ctx: Context) -> Any:
        value = ctx.get(head)
        for part in rest:
            if not isinstance(value, Mapping):
                return None
            value = value.get(part)
        return value

    return lookup


def _and(left: Evaluator, right: Evaluator) -> Evaluator:
    return lambda ctx: bool(left(ctx)) and bool(right(ctx))


def _or(left: Evaluator, right: Evaluator) -> Evaluator:
    return lambda ctx: bool(left(ctx)) or bool(right(ctx))


_OPERATORS: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "==": lambda a, b: bool(a == b),
    "!=": lambda a, b: bool(a != b),
    "<": lambda a, b: bool(a < b),
    "<=": lambda a, b: bool(a <= b),
    ">": lambda a, b: bool(a > b),
    ">=": lambda a, b: bool(a >= b),
}


def _compare(op: str, left: Evaluator, right: Evaluator) -> Evaluator:
    function = _OPERATORS[op]

    def compare(ctx: Context) -> bool:
        a, b = left(ctx), right(ctx)
        # Null never compares (not even with !=), and mismatched types are false, not errors.
        if a is None or b is None:
            return False
        try:
            return function(a, b)
        except TypeError:
            return False

    return compare


def _contains(left: Evaluator, right: Evaluator) -> Evaluator:
    def contains(ctx: Context) -> bool:
        item, collection = left(ctx), right(ctx)
        if item is None or collection is None:
            return False
        if isinstance(collection, str):
            return isinstance(item, str) and item in collection
        if isinstance(collection, list | tuple | set | frozenset | dict):
            return item in collection
        return False

    return contains


_CACHE: dict[str, Expr] = {}
_CACHE_LIMIT: Final = 4096


def parse(text: str) -> Expr:
    """Parse `text` once (cached by text); raise ExpressionError on a syntax error."""
    cached = _CACHE.get(text)
    if cached is not None:
        return cached
    parser = _Parser(text)
    evaluate = parser.parse()
    expr = Expr(text, evaluate, frozenset(parser.names))
    if len(_CACHE) < _CACHE_LIMIT:
        _CACHE[text] = expr
    return expr


def always() -> Expr:
    """The expression that matches everything (an empty filter)."""
    return Expr("", lambda ctx: True, frozenset())
