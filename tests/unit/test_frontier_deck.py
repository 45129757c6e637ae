"""The third deck (content/frontier): what issue 28 promises of it. The minimum of each kind, a
formula card for every loss it adds to the registry, a source named on every card, traps with
three distractors of their own as specific as the right reply, multiple choice whose right
option is not the longest by habit, every topic of the issue covered, and the deck taken by
study, quiz, mock, cram, plan, readiness, stats, the checklist and Anki export like any other."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from quizapp.cli import main
from quizapp.decks import Library
from quizapp.decks.models import Formula, MultipleChoice, Trap
from quizapp.losses import REGISTRY
from tests.shipped import shipped_library

DECK = "frontier"
MINIMUM = {
    "formula": 14,
    "trap": 14,
    "multiple_choice": 24,
    "interview_question": 10,
    "checklist": 4,
    "cheat_sheet": 1,
    "pitch": 1,
    "numeric_drill": 12,
    "gradient_drill": 10,
}
NEW_LOSSES = list(REGISTRY)[list(REGISTRY).index("bradley_terry") :]
# Issue 28's ten topics: words a card on each must use somewhere in the deck.
TOPICS = {
    "1 preference": ("bradley", "dpo", "ppo", "implicit reward", "kl penalty"),
    "2 llm loss": ("ignore_index", "perplexity", "ln v", "spike", "loss scaling", "bf16", "token"),
    "3 regularisation": ("gaussian prior", "laplace", "adamw", "decoupled"),
    "4 diffusion": ("elbo", "v-prediction", "min-snr", "snr"),
    "5 loss and metric": ("over-confiden", "accuracy"),
    "6 contrastive": ("clip", "siglip", "supcon"),
    "7 moe": ("load-balancing", "router z-loss", "palm"),
    "8 margin softmax": ("arcface", "cosface", "triplet"),
    "9 gan": ("wgan", "hinge", "lsgan", "r1"),
    "10 stable softmax": ("log-sum-exp", "max"),
}


@pytest.fixture(scope="module")
def library() -> Library:
    return shipped_library()


def cards(library: Library, kind: str | None = None) -> list:
    return [
        c for c in library.cards.values() if c.deck == DECK and (kind is None or c.kind == kind)
    ]


@pytest.mark.parametrize("kind", sorted(MINIMUM))
def test_each_kind_meets_its_minimum(library: Library, kind: str) -> None:
    assert [str(e) for e in library.errors] == []
    assert len(cards(library, kind)) >= MINIMUM[kind]


def test_every_card_names_its_source(library: Library) -> None:
    for card in cards(library):
        assert card.cite and len(card.cite) > 10, card.id
    assert all(c.cite is None for c in library.cards.values() if c.deck == "loss")


def test_every_new_loss_has_a_formula_card_that_names_it(library: Library) -> None:
    formulas = [c for c in cards(library, "formula") if isinstance(c, Formula)]
    text = {c.id: f"{c.name} {c.note} {c.unicode}".lower() for c in formulas}
    words = {
        "bradley_terry": "bradley", "dpo": "dpo", "ppo_clip": "ppo", "z_loss": "z-loss",
        "load_balancing": "load-balancing", "clip_contrastive": "clip", "siglip": "siglip",
        "arcface": "arcface", "diffusion_eps": "ε-prediction", "hinge_gan_d": "hinge",
        "hinge_gan_g": "hinge", "ctc": "ctc",
    }  # fmt: skip
    assert set(words) == set(NEW_LOSSES)
    for name, word in words.items():
        assert any(word in t for t in text.values()), name
    for card in formulas:
        assert card.pros and card.cons and card.task and card.note


def test_each_trap_has_three_distractors_as_specific_as_its_answer(library: Library) -> None:
    for trap in cards(library, "trap"):
        assert isinstance(trap, Trap)
        assert trap.distractors and len(trap.distractors) == 3, trap.id
        texts = [d.text for d in trap.distractors]
        assert len(set(texts)) == 3 and trap.correct not in texts
        for d in trap.distractors:
            # As long and specific as the right reply: not a one-liner beside a paragraph.
            assert len(d.text) >= 0.5 * len(trap.correct), (trap.id, d.text)
            assert len(d.why.split()) >= 10, (trap.id, d.text)


def test_the_right_option_is_not_systematically_the_longest(library: Library) -> None:
    questions = [c for c in cards(library, "multiple_choice") if isinstance(c, MultipleChoice)]
    rank = Counter(
        sorted((len(o.text) for o in q.options), reverse=True).index(len(q.answer))
        for q in questions
    )
    # Longest in at most 40% of the questions, and not the shortest by habit either.
    assert rank[0] <= 0.4 * len(questions), rank
    assert rank[len(questions[0].options) - 1] <= 0.4 * len(questions), rank
    for q in questions:
        assert len(q.options) >= 3 and all(len(o.why.split()) >= 8 for o in q.options), q.id


def test_every_topic_of_the_issue_is_covered(library: Library) -> None:
    text = " ".join(
        f"{c.search_text()} {getattr(c, 'note', '') or ''}" for c in cards(library)
    ).lower()
    for topic, words in TOPICS.items():
        missing = [w for w in words if w not in text]
        assert not missing, (topic, missing)
    tags = Counter(t for c in cards(library) for t in c.tags)
    for tag in ("preference", "llm", "moe", "diffusion", "contrastive", "generative"):
        assert tags[tag] >= 4, tag


def test_the_checklist_items_link_the_deck_and_number_on(library: Library) -> None:
    items = sorted(cards(library, "checklist"), key=lambda i: i.number)
    assert [i.number for i in items] == [13, 14, 15, 16]
    for item in items:
        assert all(library.cards[link].deck == DECK for link in item.links), item.id


# --------------------------------------------------------------------------- no special case


def test_stats_plan_and_drills_take_the_deck(
    capsys: pytest.CaptureFixture[str], quizapp_home: Path
) -> None:
    assert main(["stats", "--deck", DECK, "--json"]) == 0
    capsys.readouterr()
    interview = (date.today() + timedelta(days=10)).isoformat()
    assert main(["settings", "--interview-date", interview]) == 0
    capsys.readouterr()
    assert main(["plan", "--json"]) == 0
    readiness = json.loads(capsys.readouterr().out)["readiness"]
    assert {"loss", "beyond", DECK} <= set(readiness["by_deck"])
    assert {"13", "14", "15", "16"} <= set(readiness["by_checklist"])
    assert main(["checklist", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    numbers = {i["number"] for i in (listed if isinstance(listed, list) else listed["items"])}
    assert {13, 14, 15, 16} <= numbers


def test_study_quiz_mock_and_cram_stay_in_the_deck(library: Library, quizapp_home: Path) -> None:
    from quizapp.cram import cram_list
    from quizapp.mock import build_mock
    from quizapp.plan import gather, readiness
    from quizapp.quiz import Quiz
    from quizapp.scheduling import StudyQueue
    from quizapp.stats import compute_stats
    from quizapp.store import Store
    from quizapp.study import StudySession

    one = library.only_deck(DECK)
    with Store.open() as store:
        session = StudySession(StudyQueue(store, library), library, deck=DECK)
        for _ in range(4):
            card = session.advance()
            assert card is not None and card.deck == DECK
            session.rate(3)
        quiz = Quiz.build(library, n=20, seed=3, deck=DECK, store=store)
        assert len(quiz.questions) == 20 and {q.card.deck for q in quiz.questions} == {DECK}
        stats = compute_stats(store, library, deck=DECK)
        mock = build_mock(one, stats=stats, due=set(), seed=1)
        assert mock.questions and {q.card.deck for q in mock.questions} == {DECK}
        settings = store.settings.__class__(interview_date=date.today() + timedelta(days=5))
        store.save_settings(settings)
        ready = readiness(gather(store, one))
        listed = cram_list(ready, library)
        assert listed.ids and all(library.cards[i].deck == DECK for i in listed.ids)
        assert {g.name for g in readiness(gather(store, library)).by_deck} == {
            "loss", "beyond", DECK,
        }  # fmt: skip


def test_anki_export_carries_the_deck(tmp_path: Path, quizapp_home: Path) -> None:
    out = tmp_path / "all.apkg"
    assert main(["export", "--anki", str(out)]) == 0
    with zipfile.ZipFile(out) as z:
        db = tmp_path / "collection.anki2"
        db.write_bytes(z.read("collection.anki2"))
    conn = sqlite3.connect(db)
    try:
        fields = [f for (f,) in conn.execute("SELECT flds FROM notes")]
        tags = " ".join(t for (t,) in conn.execute("SELECT tags FROM notes"))
    finally:
        conn.close()
    assert any("Bradley" in f for f in fields) and any("SigLIP" in f for f in fields)
    assert "preference" in tags


def test_the_cheat_sheet_says_which_deck_each_pitch_sums_up(library: Library) -> None:
    from rich.console import Console

    from quizapp.ui.screens.cheatsheet import pitch_text

    console = Console(width=100, color_system=None)
    with console.capture() as captured:
        console.print(pitch_text(library.of_kind("pitch")))
    text = captured.get()
    assert "Elevator pitch (2min) · frontier deck" in text
    assert "Elevator pitch (2min) · loss deck" in text
    with console.capture() as captured:
        console.print(pitch_text(library.only_deck("loss").of_kind("pitch")))
    assert "deck" not in captured.get().split("\n")[0]


def test_the_answer_side_names_the_source(library: Library) -> None:
    from rich.console import Console

    from quizapp.ui.widgets.card_view import back, sourced

    console = Console(width=200, color_system=None)
    for card_id in ("ff-dpo", "ft-adam-weight-decay", "fmc-v-prediction", "fiq-moe-aux"):
        card = library.cards[card_id]
        with console.capture() as captured:
            console.print(sourced(card, back(card)))
        assert f"Source: {card.cite}" in captured.get(), card_id
    with console.capture() as captured:
        huber = library.cards["formula-huber"]
        console.print(sourced(huber, back(huber)))
    assert "Source:" not in captured.get()  # the notes' cards cite a section instead
