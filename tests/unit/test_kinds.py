"""The table of card kinds, and the cloze kind added through it: every kind has every handler it
needs, the tables that used to be spread over modules agree with it, and a cloze blank is graded
as math, as a number or as words, never running or crashing on what is typed."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.cloze import grade_blank, normalised
from quizapp.decks import Card, Library
from quizapp.decks.kinds import REGISTRY, handler, kind, kind_of, missing_handlers, names
from quizapp.decks.models import Cloze
from quizapp.questions import Question, make_question
from quizapp.quiz import Quiz
from tests.helpers import run_quizapp
from tests.shipped import shipped_library

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def shipped() -> Library:
    library = shipped_library()
    assert not library.errors
    return library


def test_every_kind_has_every_handler_it_needs() -> None:
    assert missing_handlers() == []


def test_every_model_of_a_card_is_in_the_table() -> None:
    import quizapp.decks.models as models

    cards = {
        cls.kind
        for cls in vars(models).values()
        if isinstance(cls, type) and issubclass(cls, Card) and cls is not Card
    }
    assert cards == set(REGISTRY)


def test_a_missing_handler_is_an_error_not_a_fallback() -> None:
    assert kind("checklist").question is None
    with pytest.raises(LookupError, match="no 'question' handler"):
        handler("checklist", "question")


def test_the_shipped_decks_use_every_kind(shipped: Library) -> None:
    assert {c.kind for c in shipped.cards.values()} == set(REGISTRY)


def test_every_askable_shipped_card_becomes_a_question_with_its_label(shipped: Library) -> None:
    rng = random.Random(1)
    for card in shipped.cards.values():
        k = kind_of(card)
        if k.question is None:
            with pytest.raises(ValueError, match="cannot be asked"):
                make_question(card, rng, shipped)
            continue
        question = make_question(card, rng, shipped)
        assert question.label == k.question and question.kind == card.kind
        assert bool(question.choices) == (k.answer == "choice")


def test_study_serves_flashcards_and_cloze_but_never_drills() -> None:
    studied = set(names(study=True))
    assert {"trap", "formula", "cloze"} <= studied
    assert not studied & {"numeric_drill", "gradient_drill", "checklist"}
    assert set(names(cram=True)) >= studied


# --------------------------------------------------------------------------- the cloze kind


def _card(**fields: object) -> Cloze:
    base: dict[str, object] = {"id": "cloze-t", "section": None, "tags": ("regression",)}
    base["text"] = "L = ___"
    return Cloze(**{**base, **fields})  # type: ignore[arg-type]


def _grade(card: Cloze, typed: str) -> tuple[bool | None, str]:
    question = Question(card.id, card.kind, card.text, card.tags, card)
    feedback = grade_blank(question, typed, None)
    return feedback.correct, feedback.verdict


MSE = _card(answer="(y - yhat)^2", variables={"y": "real", "yhat": "real"})


@pytest.mark.parametrize(
    "typed", ["(y - yhat)^2", "(yhat - y)^2", "y^2 - 2*y*yhat + yhat^2", "(y-yhat)*(y-yhat)"]
)
def test_a_math_blank_accepts_any_equal_expression(typed: str) -> None:
    assert _grade(MSE, typed) == (True, "correct")


@pytest.mark.parametrize("typed", ["y^2 - yhat^2", "abs(y - yhat)", "2*(y - yhat)", "(y-yhat)^3"])
def test_a_math_blank_rejects_a_different_expression(typed: str) -> None:
    assert _grade(MSE, typed) == (False, "incorrect")


@pytest.mark.parametrize("typed", ["(y - yhat", "__import__('os')", "y + z", "lambda: 1"])
def test_unreadable_math_is_not_graded_and_says_why(typed: str) -> None:
    correct, verdict = _grade(MSE, typed)
    assert (correct, verdict) == (None, "invalid")


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80))
def test_any_typed_text_gets_feedback_and_never_raises(typed: str) -> None:
    for card in (MSE, _card(answer="0.91"), _card(answer="linear", accept=("linearly",))):
        correct, verdict = _grade(card, typed)
        assert verdict in ("correct", "incorrect", "invalid", "unchecked")
        assert (correct is None) == (verdict in ("invalid", "unchecked"))


@pytest.mark.parametrize(("typed", "right"), [("0.91", True), ("91/100", True), ("0.9", False)])
def test_a_number_blank_is_graded_with_the_drills_tolerance(typed: str, right: bool) -> None:
    assert _grade(_card(answer="0.91"), typed)[0] is right


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.sampled_from([" ", "-", ".", "!", ",", "  "]), min_size=1, max_size=4),
    st.lists(st.booleans(), min_size=20, max_size=20),
)
def test_a_word_blank_ignores_case_spaces_and_punctuation(marks: list[str], upper: list[bool]):
    answer = "log likelihood"
    typed = "".join(c.upper() if up else c for c, up in zip(answer, upper, strict=False))
    typed = typed.replace(" ", marks[0]) + "".join(marks[1:])
    assert _grade(_card(answer=answer), typed)[0] is True


def test_a_word_blank_takes_accepted_spellings_and_nothing_else() -> None:
    card = _card(answer="logits", accept=("raw scores",))
    assert _grade(card, "Raw scores")[0] is True
    assert _grade(card, "probabilities")[0] is False
    assert normalised("Log-Likelihood!") == normalised("log likelihood")


def test_a_cloze_quiz_records_a_typed_answer(shipped: Library, quizapp_home: Path) -> None:
    from quizapp.store import Store

    store = Store.open()
    quiz = Quiz.build(shipped, item_ids=["cloze-sigmoid-bce-gradient"], store=store)
    assert quiz.questions[0].prompt.endswith("_____") and quiz.questions[0].typed
    assert quiz.answer(0, "sigmoid(z) - y", seconds=40).correct is True
    assert [r.verdict for r in store.reviews("cloze-sigmoid-bce-gradient")] == ["correct"]


def test_validate_names_the_line_of_each_bad_cloze_card(tmp_path: Path) -> None:
    deck = tmp_path / "bad.yaml"
    deck.write_text(
        "cards:\n"
        "  - id: cloze-two\n"
        "    kind: cloze\n"
        "    tags: [regression]\n"
        "    text: A ___ and a ___\n"
        "    answer: mean\n"
        "  - id: cloze-math\n"
        "    kind: cloze\n"
        "    tags: [regression]\n"
        "    text: L = ___\n"
        "    answer: (y - yhat)^2\n"
        "    accept: [y^2 - yhat^2]\n"
        "    variables: {y: real, yhat: real}\n",
        "utf-8",
    )
    result = run_quizapp("validate", str(deck))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [line for line in result.stdout.splitlines() if "card '" in line]
    assert re.search(r"bad\.yaml:5: card 'cloze-two': field 'text': has 2 blanks", lines[0])
    wrong = r"bad\.yaml:12: card 'cloze-math': field 'accept': .* does not equal"
    assert re.search(wrong, lines[1])


BCE = _card(answer="sigmoid(z) - y", variables={"z": "real", "y": "binary"})


@settings(max_examples=40, deadline=None)
@given(factor=st.sampled_from(["-1", "2", "1/2", "-2", "3"]), form=st.sampled_from(["*", "pre"]))
def test_a_math_blank_off_by_a_sign_or_a_factor_says_so(factor: str, form: str) -> None:
    """A wrong blank that is the answer with its sign flipped or times a constant is named as
    such (and still wrong); any other wrong blank is only "not quite"."""
    typed = f"({BCE.answer})*({factor})" if form == "*" else f"({factor})*({BCE.answer})"
    card = BCE
    question = Question(card.id, card.kind, "", card.tags, card)
    feedback = grade_blank(question, typed, None)
    assert feedback.correct is False
    named = {
        "-1": "the sign is flipped",
        "2": "it is 2 times the answer",
        "1/2": "it is 1/2 times the answer",
        "-2": "it is -2 times the answer",
        "3": "it is 3 times the answer",
    }[factor]
    assert feedback.headline.startswith(f"Not quite: {named}")
    assert feedback.headline.endswith(f"the blank is {BCE.answer}.")


@pytest.mark.parametrize("typed", ["sigmoid(z) + y", "y", "sigmoid(z)*(1 - sigmoid(z))", "0"])
def test_a_math_blank_wrong_in_another_way_is_not_given_a_named_slip(typed: str) -> None:
    question = Question(BCE.id, BCE.kind, "", BCE.tags, BCE)
    feedback = grade_blank(question, typed, None)
    assert feedback.correct is False
    assert feedback.headline == f"Not quite: the blank is {BCE.answer}."
