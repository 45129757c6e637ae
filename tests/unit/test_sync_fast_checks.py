"""The fast checks of an import file agree with the rules they stand for: a uuid checked with
string methods is accepted exactly when the uuid pattern accepts it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.interop.progress_file import _UUID, _plain_uuid

uuid_like = st.text(
    alphabet=st.sampled_from("abcXYZ0189-_ .\n\té٣²ǅＡ\x00"), min_size=0, max_size=70
)


@settings(max_examples=2000)
@given(st.one_of(uuid_like, st.text(max_size=70)))
def test_the_fast_uuid_check_is_the_uuid_pattern(text: str) -> None:
    assert _plain_uuid(text) == bool(_UUID.fullmatch(text))


def test_the_edges_of_the_uuid_pattern() -> None:
    for text in ("", "-", "-a", "a" * 65, "é", "a b", "a\n", "٣", "a_b"):
        assert not _plain_uuid(text) and not _UUID.fullmatch(text)
    for text in ("a", "a-", "a" * 64, "A-9-z", "0---"):
        assert _plain_uuid(text) and _UUID.fullmatch(text)
