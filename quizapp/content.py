"""Load the content the way the app and every command do: the shipped decks (or given paths)
plus the learner's own decks folder, every card checked by the table ``CHECKS``.

``CHECKS`` is the one table of checks beyond field types, card kind -> check: the plain ones of
``quizapp.decks.checks``, plus those that need the formula parser (formulas must parse) or the
drills (a numeric drill's template must produce a drill, a gradient drill must be checkable).
The imports those need are made inside each check, so a warm start from the deck cache (which
runs no checks) never pays for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from quizapp.decks import checks as plain
from quizapp.decks.cache import DeckCache
from quizapp.decks.kinds import handler, kinds
from quizapp.decks.library import Library
from quizapp.decks.loader import Check, load_decks
from quizapp.decks.models import Card, Formula, GradientDrill, LossCurve, NumericDrill


def check_formula(card: Card) -> list[tuple[str, str]]:
    """The curve panel exists, and the ASCII formula parses and uses every variable."""
    from quizapp.mathcheck.parser import ParseError, parse

    assert isinstance(card, Formula)
    problems = plain.check_formula_curve(card)
    try:
        parsed = parse(card.ascii, names=tuple(card.variables))
    except ParseError as exc:
        return [*problems, ("ascii", f"does not parse: {exc.describe()}")]
    unused = sorted(set(card.variables) - parsed.names)
    if unused:
        problems.append(("variables", f"not used in the ascii formula: {', '.join(unused)}"))
    return problems


def check_numeric_drill(card: Card) -> list[tuple[str, str]]:
    from quizapp.drills.numeric import check_template

    assert isinstance(card, NumericDrill)
    return check_template(card)


def check_gradient_drill(card: Card) -> list[tuple[str, str]]:
    from quizapp.drills import gradient

    return gradient.check_gradient_drill(card)


def check_loss_curve(card: Card) -> list[tuple[str, str]]:
    """A loss-curve card: its options as for multiple choice, and curves that can be drawn."""
    from quizapp.training_curves import card_problems

    assert isinstance(card, LossCurve)
    problems = plain.check_multiple_choice(card)
    if not 5 <= card.epochs <= 200:
        problems.append(("epochs", f"give 5 to 200 epochs, got {card.epochs}"))
    return problems + card_problems(card)


def check_plugin_kind(card: Card) -> list[tuple[str, str]]:
    """A kind added with its own module (``quizapp.decks.kinds``) checks its cards there."""
    check: Check = handler(card.kind, "check")
    return check(card)


CHECKS: dict[str, Check] = {
    **plain.CHECKS,
    LossCurve.kind: check_loss_curve,
    Formula.kind: check_formula,
    NumericDrill.kind: check_numeric_drill,
    GradientDrill.kind: check_gradient_drill,
    **{k.name: check_plugin_kind for k in kinds() if k.plugin},
}


def load_library(
    paths: Sequence[Path] | None = None,
    *,
    include_user_decks: bool = True,
    cache: bool = False,
) -> Library:
    """Load the shipped decks (or ``paths``) plus the learner's own decks folder.

    With ``cache``, files unchanged since an earlier load are rebuilt from the cache in the data
    folder instead of being parsed and checked again (``quizapp validate`` never uses it).
    """
    from quizapp import paths as qpaths

    deck_cache = DeckCache.open(qpaths.data_dir() / "cache" / "decks.json") if cache else None
    roots = list(paths) if paths else [qpaths.content_dir()]
    if include_user_decks:
        user = qpaths.user_decks_dir()
        if user.is_dir():
            roots.append(user)
    return load_decks(roots, CHECKS, deck_cache)
