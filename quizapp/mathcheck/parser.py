"""The one safe parser for everything a learner types as math.

Text goes through three stages, none of which can run code:

1. ``normalise``: friendly Unicode (−, ×, ², ŷ, σ, δ, γ, α, ε, ≤ ...) becomes plain ASCII,
   with a map back to the original columns so errors point at what the learner typed.
2. ``tokenize``: numbers, names, operators, ``if``/``else``/``and``/``or``/``not``.
3. ``Parser``: a recursive-descent parser with an explicit allowlist of names and functions and hard
   limits on length, node count, depth, literal size and exponents.

Stages 1 and 2 and the vocabulary live in ``lexer.py``, the tree in ``nodes.py``, which typed
word means which declared name (and the advice for one that means none) in ``names.py``; this
module re-exports the lexer's and the tree's names. Nothing here imports numpy (constant
exponents are folded in plain Python by ``nodes.constant_value``).

The result is a small immutable AST (``Node`` subclasses). Other modules turn it into numbers
(``quizapp.mathcheck.numeric``) or a sympy expression; this module never imports sympy and never
calls ``eval``, ``sympify`` or ``parse_expr``.

Grammar (lowest precedence first)::

    expr     := orexpr ['if' orexpr 'else' expr]
    orexpr   := andexpr ('or' andexpr)*
    andexpr  := notexpr ('and' notexpr)*
    notexpr  := 'not' notexpr | compare
    compare  := sum (('<'|'<='|'>'|'>='|'=='|'!=') sum)*
    sum      := term (('+'|'-') term)*
    term     := unary (('*'|'/') unary | <implicit *> unary)*
    unary    := ('-'|'+') unary | power
    power    := atom (('^'|'**') unary)?
    atom     := NUMBER | NAME | FUNC '(' args ')' | '(' expr ')' | '|' sum '|'

Conditions (comparisons, ``and``/``or``/``not``) are only allowed as the test of a conditional:
``A if abs(e) <= delta else B``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

# The tree and the lexer live in their own modules; their names are re-exported here, so
# ``from quizapp.mathcheck.parser import Node, ParseError, to_text ...`` keeps working.
from quizapp.mathcheck.lexer import (
    COMPARISONS,
    FUNCTION_ALIASES,
    FUNCTIONS,
    KEYWORDS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    MAX_LITERAL,
    MAX_NODES,
    NAME_ALIASES,
    Token,
    apply_aliases,
    normalise,
    tokenize,
)
from quizapp.mathcheck.names import resolve_name, unknown_name_message
from quizapp.mathcheck.nodes import (
    BinOp,
    BoolOp,
    Call,
    Compare,
    Cond,
    Name,
    Neg,
    Node,
    Num,
    Parsed,
    ParseError,
    Pow,
    constant_value,
    is_condition,
    is_constant,
    strip_neg,
    to_text,
)

__all__ = [
    "COMPARISONS",
    "FUNCTIONS",
    "FUNCTION_ALIASES",
    "KEYWORDS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_LITERAL",
    "MAX_NODES",
    "NAME_ALIASES",
    "BinOp",
    "BoolOp",
    "Call",
    "Compare",
    "Cond",
    "Name",
    "Neg",
    "Node",
    "Num",
    "ParseError",
    "Parsed",
    "Parser",
    "Pow",
    "Token",
    "normalise",
    "parse",
    "to_text",
    "tokenize",
]

# --------------------------------------------------------------------------- parser


class Parser:
    """Recursive descent over the tokens; every rule enforces the limits as it builds."""

    def __init__(
        self,
        tokens: list[Token],
        *,
        names: Collection[str],
        origin: list[int],
        source: str,
    ) -> None:
        self.tokens = tokens
        self.i = 0
        self.names = frozenset(names)
        self.origin = origin
        self.source = source
        self.depth = 0
        self.nodes = 0
        self.notes: list[str] = []
        self.allow_conditions = 0

    # -- helpers
    def col(self, pos: int) -> int:
        """1-based column in the learner's original text."""
        if not self.origin:
            return 1
        if pos >= len(self.origin):
            return len(self.source) + 1
        return self.origin[pos] + 1

    def error(self, message: str, pos: int) -> ParseError:
        return ParseError(message, self.col(pos))

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        t = self.tokens[self.i]
        self.i += 1
        return t

    def at(self, kind: str, *texts: str) -> bool:
        t = self.tok
        return t.kind == kind and (not texts or t.text in texts)

    def expect_op(self, text: str, context: str) -> Token:
        if not self.at("OP", text):
            found = "the end" if self.tok.kind == "END" else f"'{self.tok.text}'"
            raise self.error(f"expected '{text}' {context}, found {found}", self.tok.pos)
        return self.advance()

    def make(self, node: Node) -> Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ParseError(f"expression too long: more than {MAX_NODES} parts; simplify it")
        if isinstance(node, BinOp | Neg | Pow | Call | Compare):
            # Inside the test of a conditional, comparisons parse anywhere; only a whole test (or
            # the parts joined by and/or/not) may be one, never a number in arithmetic.
            for child in node.children():
                if is_condition(child):
                    raise self.error(
                        "a comparison is not a number; use it only as the test of "
                        "'A if condition else B'",
                        child.pos,
                    )
        return node

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"nested too deeply (more than {MAX_DEPTH} levels)", self.tok.pos)

    def leave(self) -> None:
        self.depth -= 1

    # -- grammar
    def parse(self) -> Node:
        if self.tok.kind == "END":
            raise ParseError("the answer is empty; type an expression")
        node = self.expr()
        if self.tok.kind != "END":
            t = self.tok
            if t.text == ")":
                raise self.error("unmatched ')'", t.pos)
            raise self.error(f"unexpected '{t.text}'", t.pos)
        if is_condition(node):
            raise self.error(
                "a condition on its own is not a value; use 'A if condition else B'", node.pos
            )
        return node

    def expr(self) -> Node:
        # Depth counts what a reader sees as nesting: brackets, calls, |bars|, signs, exponents
        # and chained conditionals; an expression inside one of them costs no extra level.
        start = self.tok.pos
        then = self.orexpr()
        if self.at("KW", "if"):
            self.advance()
            self.allow_conditions += 1
            test = self.orexpr()
            self.allow_conditions -= 1
            if not is_condition(test):
                raise self.error(
                    "the part after 'if' must be a comparison such as x <= 1", test.pos
                )
            if not self.at("KW", "else"):
                raise self.error("'if' needs an 'else': A if condition else B", self.tok.pos)
            self.advance()
            self.enter()
            orelse = self.expr()
            self.leave()
            for branch in (then, orelse):
                if is_condition(branch):
                    raise self.error("each branch of 'if ... else' must be a value", branch.pos)
            then = self.make(Cond(test, then, orelse, pos=start))
        return then

    def orexpr(self) -> Node:
        start = self.tok.pos
        node = self.andexpr()
        if self.at("KW", "or"):
            parts = [node]
            while self.at("KW", "or"):
                self.advance()
                parts.append(self.andexpr())
            self._require_conditions(parts, "or", start)
            node = self.make(BoolOp("or", tuple(parts), pos=start))
        return node

    def andexpr(self) -> Node:
        start = self.tok.pos
        node = self.notexpr()
        if self.at("KW", "and"):
            parts = [node]
            while self.at("KW", "and"):
                self.advance()
                parts.append(self.notexpr())
            self._require_conditions(parts, "and", start)
            node = self.make(BoolOp("and", tuple(parts), pos=start))
        return node

    def notexpr(self) -> Node:
        if self.at("KW", "not"):
            start = self.advance().pos
            self.enter()
            operand = self.notexpr()
            self.leave()
            self._require_conditions([operand], "not", start)
            return self.make(BoolOp("not", (operand,), pos=start))
        return self.compare()

    def _require_conditions(self, parts: list[Node], word: str, pos: int) -> None:
        if not self.allow_conditions:
            raise self.error(f"'{word}' can only be used inside 'A if condition else B'", pos)
        for p in parts:
            if not is_condition(p):
                raise self.error(f"'{word}' joins comparisons such as x <= 1", p.pos)

    def compare(self) -> Node:
        start = self.tok.pos
        first = self.sum()
        if not self.at("OP", *COMPARISONS):
            return first
        if not self.allow_conditions:
            raise self.error(
                "comparisons are only allowed inside 'A if condition else B'", self.tok.pos
            )
        ops: list[str] = []
        operands = [first]
        while self.at("OP", *COMPARISONS):
            ops.append(self.advance().text)
            operands.append(self.sum())
        return self.make(Compare(tuple(ops), tuple(operands), pos=start))

    def sum(self) -> Node:
        node = self.term()
        while self.at("OP", "+", "-"):
            op = self.advance()
            right = self.term()
            node = self.make(BinOp(op.text, node, right, pos=op.pos))
        return node

    def term(self) -> Node:
        node = self.unary()
        while True:
            if self.at("OP", "*", "/"):
                op = self.advance()
                if self.at("OP", "*", "/"):
                    raise self.error(f"'{op.text}' followed by '{self.tok.text}'", self.tok.pos)
                right = self.unary()
                node = self.make(BinOp(op.text, node, right, pos=op.pos))
            elif self._implicit_product_follows(node):
                pos = self.tok.pos
                right = self.unary()
                node = self.make(BinOp("*", node, right, implicit=True, pos=pos))
            else:
                return node

    def _implicit_product_follows(self, left: Node) -> bool:
        t = self.tok
        if t.kind in ("NUM",):
            # "2 3" or "y 2" is far more likely a typo than a product.
            raise self.error(f"put an operator between '{to_text(left)}' and '{t.text}'", t.pos)
        if t.kind == "NAME":
            return True
        return t.kind == "OP" and t.text == "("

    def unary(self) -> Node:
        if self.at("OP", "-", "+"):
            op = self.advance()
            self.enter()
            operand = self.unary()
            self.leave()
            if op.text == "+":
                return operand
            return self.make(Neg(operand, pos=op.pos))
        return self.power()

    def power(self) -> Node:
        base = self.atom()
        if self.at("OP", "^", "**"):
            op = self.advance()
            self.enter()
            exponent = self.unary()
            self.leave()
            self._check_power(base, exponent, op.pos)
            return self.make(Pow(base, exponent, pos=op.pos))
        return base

    def _check_power(self, base: Node, exponent: Node, pos: int) -> None:
        if isinstance(strip_neg(exponent), Pow):
            raise self.error("chained powers like a^b^c are not allowed; use parentheses", pos)
        if is_constant(exponent):
            value = _constant_value(exponent)
            if value is None or abs(value) > MAX_EXPONENT:
                raise self.error(f"exponent too large (at most {MAX_EXPONENT})", pos)
        if is_constant(base) and any(isinstance(n, Pow) for n in base.walk()):
            raise self.error("a power of a power of numbers is not allowed", pos)

    def atom(self) -> Node:
        t = self.tok
        if t.kind == "NUM":
            self.advance()
            return self.make(self._number(t))
        if t.kind == "NAME":
            return self._name_or_call()
        if t.kind == "OP" and t.text == "(":
            self.advance()
            self.enter()
            if self.at("OP", ")"):
                raise self.error("empty parentheses", self.tok.pos)
            inner = self.expr()
            self.leave()
            self.expect_op(")", "to close '('")
            return inner
        if t.kind == "OP" and t.text == "|":
            self.advance()
            self.enter()
            inner = self.sum()
            self.leave()
            self.expect_op("|", "to close '|'")
            return self.make(Call("abs", (inner,), pos=t.pos))
        if t.kind == "END":
            raise self.error("the expression ends too early", t.pos)
        if t.kind == "KW":
            raise self.error(f"'{t.text}' is not expected here", t.pos)
        if t.text == ")":
            raise self.error("unmatched ')'", t.pos)
        if t.text in ("*", "/", "^", "**"):
            raise self.error(f"'{t.text}' needs a value before it", t.pos)
        raise self.error(f"unexpected '{t.text}'", t.pos)

    def _number(self, t: Token) -> Num:
        try:
            value = float(t.text)
        except ValueError:  # pragma: no cover - the regex only yields valid floats
            raise self.error(f"'{t.text}' is not a number", t.pos) from None
        if abs(value) > MAX_LITERAL:
            raise self.error(f"number {t.text} is too large (at most {MAX_LITERAL:.0e})", t.pos)
        return Num(value, t.text, pos=t.pos)

    def _name_or_call(self) -> Node:
        t = self.advance()
        word = t.text
        is_call = self.at("OP", "(")
        if word == "y" and "yhat" in self.names and self._hat_follows():
            return self.make(Name("yhat", pos=t.pos))
        name = resolve_name(word, self.names, is_call)
        if name is not None:
            return self.make(Name(name, pos=t.pos))
        func = FUNCTION_ALIASES.get(word, word)
        if func in FUNCTIONS:
            if not is_call:
                raise self.error(f"'{word}' is a function: write {word}(...)", t.pos)
            return self._call(func, word, t.pos)
        raise self.error(unknown_name_message(word, is_call, self.names), t.pos)

    def _hat_follows(self) -> bool:
        """Consume the "-hat" or " hat" of "y-hat" / "y hat" (ŷ in words); 'hat' is never a
        name, so "y minus hat" cannot be what was meant."""
        if self.at("NAME", "hat"):
            self.advance()
            return True
        if self.at("OP", "-") and self.peek().kind == "NAME" and self.peek().text == "hat":
            self.advance()
            self.advance()
            return True
        return False

    def _call(self, func: str, typed: str, pos: int) -> Node:
        self.expect_op("(", f"after {typed}")
        self.enter()
        args: list[Node] = []
        if not self.at("OP", ")"):
            args.append(self.expr())
            while self.at("OP", ","):
                self.advance()
                args.append(self.expr())
        self.leave()
        self.expect_op(")", f"to close {typed}(")
        arity = FUNCTIONS[func]
        if len(args) != arity:
            plural = "argument" if arity == 1 else "arguments"
            extra = ""
            if func == "log" and len(args) == 2:
                extra = "; for base 10 write log10(x), for base 2 log2(x)"
            raise self.error(f"{typed}() takes {arity} {plural}, got {len(args)}{extra}", pos)
        return self.make(Call(func, tuple(args), pos=pos))


def _constant_value(node: Node) -> float | None:
    """The value of a constant sub-expression (an exponent), or None when it has none."""
    return constant_value(node, MAX_EXPONENT)


# --------------------------------------------------------------------------- public API


def parse(
    text: str,
    names: Collection[str] = (),
    *,
    aliases: Mapping[str, str] | None = None,
) -> Parsed:
    """Parse learner text into an AST, allowing only ``names`` as variables.

    Raises ``ParseError`` (one line, with a column) for anything else. ``aliases`` maps extra
    spellings to declared names for this call only.
    """
    if not isinstance(text, str):
        raise ParseError("the answer must be text")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"answer too long: {len(text)} characters (at most {MAX_LENGTH})")
    if "\x00" in text:
        raise ParseError("the answer contains a NUL byte; retype it", text.index("\x00") + 1)
    stripped = text.strip()
    if not stripped:
        raise ParseError("the answer is empty; type an expression")
    offset = len(text) - len(text.lstrip())
    normalised, origin = normalise(stripped)
    origin = [o + offset for o in origin]
    if aliases:
        normalised, origin = apply_aliases(normalised, origin, aliases)
    tokens = tokenize(normalised, origin)
    parser = Parser(tokens, names=names, origin=origin, source=text)
    tree = parser.parse()
    notes = list(parser.notes)
    if any(isinstance(n, BinOp) and n.implicit for n in tree.walk()):
        notes.append(f"read as {to_text(tree)} (a '*' was added where a product had none)")
    return Parsed(
        tree=tree, source=text, normalised=normalised, notes=tuple(notes), origin=tuple(origin)
    )
