"""Deck loading and validation: every error names file, line, card and field."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.content import load_library
from quizapp.decks.models import MultipleChoice, Trap

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

EXPECTED_BROKEN = [
    "01-syntax.yaml:5: YAML error: while scanning a quoted scalar (line 4): "
    "found unexpected end of stream",
    "02-not-utf8.yaml:6: not UTF-8 (byte 91); save the file as UTF-8",
    "03-python-tag.yaml:2: YAML error: the tag !!python/object/apply:os.system is not allowed "
    "in a deck (plain YAML only)",
    "04-cards.yaml:2: card 'trap-missing': missing field 'example'",
    "04-cards.yaml:11: card 'faq-unknown-kind': unknown kind 'faqq' (did you mean 'faq'?)",
    "04-cards.yaml:19: card 'faq-typo-field': unknown field 'answr' (did you mean 'answer'?)",
    "04-cards.yaml:14: card 'faq-typo-field': missing field 'answer'",
    "04-cards.yaml:24: card 'faq-wrong-type': field 'question': expected text, got a list",
    "04-cards.yaml:30: card 'faq-empty': field 'question': is empty; write the text or remove "
    "the field",
    "04-cards.yaml:40: card 'mc-bad-answer': field 'answer': 'Softmax' is not one of the options",
    "04-cards.yaml:47: card 'formula-bad-ascii': field 'ascii': does not parse: column 12: "
    "'^' needs a value before it",
    "04-cards.yaml:66: card 'faq-dup': duplicate id 'faq-dup' (first defined at 04-cards.yaml:60)",
    "04-cards.yaml:75: card 'faq-bad-tag': field 'tags': unknown tag 'metric' "
    "(did you mean 'metrics'?)",
    "04-cards.yaml:78: id 'Faq_Bad_Id' must be lower-case letters, digits "
    "and dashes (e.g. trap-mse)",
    "04-cards.yaml:53: card 'checklist-bad-link': field 'links': 'faq-typo-fiel' is not the id "
    "of any card",
]


def test_broken_decks_give_exactly_the_expected_messages(monkeypatch) -> None:
    broken = FIXTURES / "broken"
    monkeypatch.chdir(broken)
    library = load_library([broken], include_user_decks=False)
    got = [str(e) for e in library.errors]
    assert got == EXPECTED_BROKEN
    # The valid cards in the same file still load.
    assert set(library.cards) == {"faq-dup", "checklist-bad-link"}


def test_every_problem_of_a_card_and_every_duplicate_is_reported(tmp_path: Path) -> None:
    deck = tmp_path / "deck.yaml"
    deck.write_text(
        "cards:\n"
        "  - {id: faq-bad, kind: faq, section: 99, tags: [regression, nope], question: ' '}\n"
        "  - {id: faq-same, kind: faq, section: 1, tags: [regression], question: Q, answer: A}\n"
        "  - {id: faq-same, kind: faq, section: 1, tags: [regression], question: Q, answer: A}\n"
        "  - {id: faq-same, kind: faq, section: 2, tags: [regression], question: Q, answer: A}\n"
    )
    library = load_library([deck], include_user_decks=False)
    bad = [e for e in library.errors if e.id == "faq-bad"]
    assert sorted(e.field or "" for e in bad) == ["answer", "question", "section", "tags"]
    duplicates = [e for e in library.errors if e.id == "faq-same"]
    assert [e.line for e in duplicates] == [4, 5]
    assert all("duplicate id 'faq-same'" in e.message for e in duplicates)
    assert set(library.cards) == {"faq-same"}


def test_python_tags_never_run(tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    deck = tmp_path / "evil.yaml"
    deck.write_text(f'cards:\n  - !!python/object/apply:os.system ["touch {canary}"]\n')
    library = load_library([deck], include_user_decks=False)
    assert not canary.exists()
    assert "not allowed" in str(library.errors[0])


def test_errors_carry_structured_fields(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text(
        "cards:\n  - id: faq-x\n    kind: faq\n    section: 8\n    tags: [metrics]\n"
        "    question: Why?\n"
    )
    (error,) = load_library([tmp_path], include_user_decks=False).errors
    assert error.to_dict() == {
        "file": str(tmp_path / "d.yaml"),
        "line": 2,
        "id": "faq-x",
        "field": "answer",
        "message": "missing field 'answer'",
    }


def test_good_deck_loads_typed_cards() -> None:
    library = load_library([FIXTURES / "good"], include_user_decks=False)
    assert library.errors == []
    trap = library.cards["trap-demo"]
    assert isinstance(trap, Trap)
    assert trap.tags == ("regression", "classification")
    assert trap.line == 2 and trap.deck == "good"
    mc = library.cards["mc-demo"]
    assert isinstance(mc, MultipleChoice)
    assert mc.options[mc.correct_index].text == "Sigmoid"
    assert [i.number for i in library.checklist] == [1]


def test_user_decks_folder_loads_beside_the_given_decks(quizapp_home: Path) -> None:
    user = quizapp_home / "decks"
    user.mkdir()
    (user / "mine.yaml").write_text(
        "cards:\n  - id: faq-mine\n    kind: faq\n    section: 8\n    tags: [metrics]\n"
        "    question: Mine?\n    answer: Yes.\n"
    )
    library = load_library([FIXTURES / "good"])
    assert "faq-mine" in library.cards and "trap-demo" in library.cards
    assert library.cards["faq-mine"].deck == "decks"


def test_a_duplicate_id_across_folders_names_both_places(quizapp_home: Path) -> None:
    user = quizapp_home / "decks"
    user.mkdir()
    (user / "clash.yaml").write_text(
        "cards:\n  - id: trap-demo\n    kind: faq\n    section: 8\n    tags: [metrics]\n"
        "    question: Clash?\n    answer: Yes.\n"
    )
    library = load_library([FIXTURES / "good"])
    (error,) = library.errors
    assert "clash.yaml:2" in str(error)
    assert "duplicate id 'trap-demo' (first defined at" in str(error)
    assert "good/deck.yaml:2" in str(error)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cards=st.lists(
        st.fixed_dictionaries(
            {"id": st.text(max_size=12), "kind": st.sampled_from(["faq", "trap", "formula", "x"])},
            optional={
                "section": yaml_values,
                "tags": yaml_values,
                "question": yaml_values,
                "answer": yaml_values,
                "ascii": yaml_values,
                "options": yaml_values,
            },
        ),
        max_size=4,
    )
)
def test_any_yaml_deck_loads_without_raising(tmp_path: Path, cards: list) -> None:
    deck = tmp_path / "fuzz.yaml"
    deck.write_text(yaml.safe_dump({"cards": cards}, allow_unicode=True))
    library = load_library([deck], include_user_decks=False)
    assert len(library.cards) + len(library.errors) >= 1 or not cards
    for error in library.errors:
        assert "\n" not in str(error)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=300))
def test_any_bytes_load_without_raising(tmp_path: Path, raw: bytes) -> None:
    deck = tmp_path / "bytes.yaml"
    deck.write_bytes(raw)
    library = load_library([deck], include_user_decks=False)
    for error in library.errors:
        assert str(error).startswith(str(deck)) or str(error).startswith("..")


def test_a_command_over_broken_content_says_what_it_skipped(
    tmp_path: Path, quizapp_home: Path, capsys
) -> None:
    from quizapp.cli import main

    deck = tmp_path / "deck.yaml"
    deck.write_text(
        "cards:\n"
        "  - {id: faq-bad, kind: faq, section: 99, tags: [regression], question: Q}\n"
        "  - {id: faq-good, kind: faq, section: 1, tags: [regression], question: Q, answer: A}\n"
    )
    assert main(["--content", str(tmp_path), "stats"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "2 content errors, 1 card skipped" in err[0]
    assert "faq-bad" in err[0] and "quizapp validate" in err[0]


@given(count=st.integers(min_value=1, max_value=9))
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_a_multiple_choice_card_has_2_to_6_options_one_key_each(tmp_path: Path, count: int) -> None:
    """A quiz chooses an option with the keys a to f: a seventh option could not be chosen."""
    options = "".join(f"      - {{text: option {i}, why: because {i}}}\n" for i in range(count))
    deck = tmp_path / f"mc-{count}.yaml"
    deck.write_text(
        "cards:\n"
        "  - id: mc-count\n"
        "    kind: multiple_choice\n"
        "    section: 4\n"
        "    tags: [activations]\n"
        "    question: Pick one.\n"
        "    options:\n" + options + "    answer: option 0\n"
    )
    library = load_library([deck], include_user_decks=False)
    problems = [(e.field, e.message) for e in library.errors]
    if count < 2:
        assert problems == [("options", "field 'options': needs at least 2 options")]
    elif count > 6:
        assert problems == [("options", f"field 'options': has {count} options; give at most 6")]
    else:
        assert problems == [] and isinstance(library.cards["mc-count"], MultipleChoice)
