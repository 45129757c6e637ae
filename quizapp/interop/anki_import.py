"""Reviews made in Anki, brought back: ``quizapp import FILE.colpkg|FILE.apkg [--dry-run]``.

An Anki package is a zip holding a collection (SQLite; zstd-compressed as
``collection.anki21b`` since Anki 2.1.50, plain as ``collection.anki21`` or ``collection.anki2``
in older or "support older versions" exports). Its review log (``revlog``) has one row per
answer: the time (the row id, in ms), the card, the button (1 Again .. 4 Easy; 0 for a manual
reschedule, which is no review) and the time taken.

A quizapp note is known by its GUID (``quizapp.interop.anki.note_guid`` of a card id), so each
answer to one of them becomes a quizapp review of that card: at the same time (to the ms), with
the same rating, and a uuid derived from the card's GUID and the revlog id, the same on every
import. The reviews are then merged as another machine's export would be
(``quizapp.interop.merge``): each one once, the cards they touch rescheduled by replaying the
merged log; importing the file again adds nothing. Notes that are not quizapp's are counted and
skipped.

A card suspended or unsuspended in Anki comes back so: the card's suspension there (``queue``
-1) is a replicated register like one set on another machine, stamped with the time Anki last
changed the card (its ``mod``, machine "Anki"), and it wins over the one here when it is newer
and the card's last change in Anki was not an answer (an answer also sets ``mod``: a card
suspended here after the export and then studied in Anki, which did not know, stays suspended).
A bury in Anki does not come back: it lasts until Anki's next day.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import tempfile
import uuid
import zipfile
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import fsrs

from quizapp.decks.models import Card as DeckCard
from quizapp.interop.anki import note_guid
from quizapp.interop.merge import MergeError, MergePlan, merge_reviews, register_line
from quizapp.interop.progress_file import FileCram, FileReview, Register, open_regular
from quizapp.store import Store, hlc, replica
from quizapp.wording import counted

RATING_NAMES = {1: "again", 2: "hard", 3: "good", 4: "easy"}
RATING_VALUES = {name: value for value, name in RATING_NAMES.items()}
# The collection inside a package, newest format first (a new export also holds an old-format
# collection.anki2 that only says "please update Anki").
COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
UUID_NAMESPACE = uuid.UUID("5b0e7c1e-6f7a-4d35-9a57-0b7e6b1a2c41")  # quizapp's, for Anki reviews


def review_uuid(guid: str, revlog_id: int) -> str:
    """The uuid of the quizapp review made from one Anki answer: the same on every import."""
    return str(uuid.uuid5(UUID_NAMESPACE, f"anki {guid} {revlog_id}"))


@dataclass
class AnkiReviews:
    """What a package holds for quizapp: reviews as export-file dicts, and what was skipped."""

    path: Path
    reviews: list[dict[str, Any]] = field(default_factory=list)
    notes: int = 0  # quizapp notes in the package
    foreign_notes: int = 0  # notes that are not quizapp's
    foreign_reviews: int = 0  # their answers, skipped
    cram: list[dict[str, Any]] = field(default_factory=list)  # previews in a filtered deck
    other_cards: int = 0  # answers to a card type added to quizapp's note type in Anki, skipped
    # item -> (suspended in Anki, the time Anki last changed the card, in ms) for each of
    # quizapp's cards whose last change in Anki was not an answer
    suspended: dict[str, tuple[bool, int]] = field(default_factory=dict)


# The collection read from a package, uncompressed, at most (a zip or zstd "bomb" of a few MB
# would otherwise fill memory or the disk): Anki's own collections are far smaller, since the
# media are not in it.
MAX_COLLECTION = 1 << 30


def _unpack_collection(path: Path, dest: Path) -> None:
    """Write the package's collection (SQLite) to ``dest``, streamed and within
    MAX_COLLECTION. Only a regular file is opened (a FIFO or a device is refused before a read)."""
    fd = open_regular(path, "an Anki package")
    try:
        with os.fdopen(fd, "rb") as fh, zipfile.ZipFile(fh) as zf:
            names = set(zf.namelist())
            name = next((n for n in COLLECTIONS if n in names), None)
            if name is None:
                raise MergeError(
                    f"{path}: no Anki collection inside; export it from Anki with File > Export "
                    "(Anki Collection Package or Anki Deck Package, with scheduling)"
                )
            info = zf.getinfo(name)
            if info.file_size > MAX_COLLECTION:
                raise _too_big(path, info.file_size)
            with zf.open(info) as packed, open(dest, "wb") as out:
                if name == "collection.anki21b":
                    import zstandard

                    try:
                        with zstandard.ZstdDecompressor().stream_reader(packed) as unpacked:
                            _copy(path, unpacked, out)
                    except zstandard.ZstdError:
                        raise MergeError(f"{path}: the Anki collection inside is damaged") from None
                else:
                    _copy(path, packed, out)
    except zipfile.BadZipFile:
        raise MergeError(f"{path}: not an Anki package (not a zip file)") from None
    except OSError as exc:
        if exc.filename == str(dest) or exc.errno == errno.ENOSPC:
            raise MergeError(
                f"{path}: cannot unpack its collection into {dest.parent} "
                f"({exc.strerror or exc}); free some space there, or set TMPDIR to a folder "
                "with room"
            ) from None
        raise MergeError(f"{path}: cannot read it ({exc.strerror or exc})") from None


def _copy(path: Path, src: IO[bytes], out: IO[bytes]) -> None:
    written = 0
    while chunk := src.read(1 << 20):
        written += len(chunk)
        if written > MAX_COLLECTION:
            raise _too_big(path, written)
        out.write(chunk)


def _too_big(path: Path, size: int) -> MergeError:
    return MergeError(
        f"{path}: its Anki collection is more than {MAX_COLLECTION >> 20} MB uncompressed "
        f"({'at least ' if size > MAX_COLLECTION else ''}{size >> 20} MB); is it really an "
        "Anki package?"
    )


# The collection schemas Anki reads (rslib/src/storage/upgrades: SCHEMA_MIN_VERSION ..
# SCHEMA_MAX_VERSION); a newer one is refused by Anki itself too.
SCHEMAS = range(11, 19)
# The tables read, which must be plain tables: a view (say, a recursive one) would run code
# from the file, and could run for ever.
TABLES = ("col", "notes", "cards", "revlog")
# An answer's time (the revlog id, in ms) is after Anki's first release and before 2100:
# anything else is not a time Anki wrote (and past the year 9999 not even a date).
FIRST_ANSWER = datetime(2006, 1, 1, tzinfo=UTC)
LAST_ANSWER = datetime(2100, 1, 1, tzinfo=UTC)
FILTERED = 3  # revlog type: an answer in a filtered deck that does not reschedule (a preview)
MAX_TAKEN_MS = 86_400_000  # a time taken over a day is no answer's: not kept
MAX_ANSWERS = 1_000_000  # to quizapp's notes: 100 a day for 27 years
# Those bounds in seconds since the epoch (a card's mod; an answer's id is in ms), once.
_ANKI_TIMES = (int(FIRST_ANSWER.timestamp()), int(LAST_ANSWER.timestamp()))
QUEUE_SUSPENDED = -1  # a card's queue in Anki when it is suspended
ANKI_MACHINE = "Anki"  # the machine of a suspension made in Anki (the end of its stamp)


@dataclass
class _Collection:
    """What a package's collection holds for quizapp."""

    notes: int = 0  # notes in all
    ours: int = 0  # quizapp's notes
    foreign_answers: int = 0  # answers to the others'
    other_cards: int = 0  # answers to cards of quizapp's notes from a card type added in Anki
    rows: list[Any] = field(default_factory=list)  # (id, ease, time, type, guid) of quizapp's
    # guid -> (queue, mod, the id of its last answer or None) of each quizapp note's own card
    cards: dict[str, tuple[int, int, int | None]] = field(default_factory=dict)


def _read_collection(path: Path, db: Path, guids: Container[str]) -> _Collection:
    """What the collection at ``db`` holds for the notes with these ``guids``, after checking
    it is one Anki wrote. Raises MergeError."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        kinds = dict(
            conn.execute(
                "SELECT name, CASE WHEN type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' "
                "THEN 'table' ELSE type END FROM sqlite_master WHERE name IN (?, ?, ?, ?)",
                TABLES,
            ).fetchall()
        )
        missing = [t for t in TABLES if kinds.get(t) != "table"]
        if missing:
            what = ", ".join(
                f"table {t} is missing"
                if t not in kinds
                else f"{t} is {'an' if kinds[t][0] in 'aeiou' else 'a'} {kinds[t]}, not a table"
                for t in missing
            )
            raise MergeError(f"{path}: not an Anki collection: {what}")
        versions = [v for (v,) in conn.execute("SELECT ver FROM col LIMIT 2")]
        if len(versions) != 1:
            raise MergeError(
                f"{path}: not an Anki collection: its col table has {len(versions)} rows, not 1"
            )
        if type(versions[0]) is not int or versions[0] not in SCHEMAS:
            newer = type(versions[0]) is int and versions[0] > SCHEMAS[-1]
            raise MergeError(
                f"{path}: Anki collection schema {_shown(versions[0])} is not one quizapp reads "
                f"({SCHEMAS[0]} to {SCHEMAS[-1]})"
                + ("; export it from Anki with 'Support older Anki versions' ticked" * newer)
            )
        shown = _Collection()
        for (guid,) in conn.execute("SELECT guid FROM notes"):
            shown.notes += 1
            shown.ours += guid in guids
        # Streamed: only the answers to quizapp's notes are kept, at most MAX_ANSWERS.
        for *row, card_type in conn.execute(
            "SELECT r.id, r.ease, r.time, r.type, n.guid, c.ord FROM revlog r "
            "JOIN cards c ON c.id = r.cid JOIN notes n ON n.id = c.nid ORDER BY r.id"
        ):
            if row[4] not in guids:
                shown.foreign_answers += 1
                continue
            if card_type != 0:  # a card type added in Anki (a reverse card): not quizapp's card
                shown.other_cards += 1
                continue
            shown.rows.append(row)
            if len(shown.rows) > MAX_ANSWERS:
                raise MergeError(
                    f"{path}: more than {MAX_ANSWERS:,} answers to quizapp's notes, more than "
                    "anyone gives; is it really a collection Anki wrote?"
                )
        last = dict(conn.execute("SELECT cid, max(id) FROM revlog GROUP BY cid"))
        for guid, card_id, queue, mod in conn.execute(
            "SELECT n.guid, c.id, c.queue, c.mod FROM cards c JOIN notes n ON n.id = c.nid "
            "WHERE c.ord = 0 ORDER BY c.id"
        ):
            if guid not in guids:
                continue
            if (
                type(queue) is not int
                or type(mod) is not int
                or not _ANKI_TIMES[0] <= mod < _ANKI_TIMES[1]
            ):
                raise MergeError(
                    f"{path}: Anki's cards table has a row that is not Anki's (queue "
                    f"{_shown(queue)}, modified {_shown(mod)}: whole numbers, the time in seconds "
                    f"from {FIRST_ANSWER:%Y} to {LAST_ANSWER:%Y})"
                )
            answered = last.get(card_id)
            shown.cards[guid] = (queue, mod, answered if type(answered) is int else None)
    finally:
        conn.close()
    return shown


def _shown(value: Any) -> str:
    """A value from the file in a message: on one line, at most 40 characters (a field of
    megabytes, or one with newlines, would make the message useless)."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _answer_time(path: Path, revlog_id: Any, ease: Any, kind: Any) -> datetime:
    """The time of one answer (its revlog id in ms), checked (MergeError)."""
    if type(revlog_id) is not int or type(ease) is not int or type(kind) is not int:
        raise MergeError(
            f"{path}: Anki's review log has a row that is not Anki's (id {_shown(revlog_id)}, "
            f"button {_shown(ease)}, type {_shown(kind)}: each should be a whole number)"
        )
    first, last = (t * 1000 for t in _ANKI_TIMES)
    if not first <= revlog_id < last:
        raise MergeError(
            f"{path}: Anki's review log has an answer dated outside {FIRST_ANSWER:%Y} to "
            f"{LAST_ANSWER:%Y} (revlog id {revlog_id}); not a time Anki writes"
        )
    return datetime.fromtimestamp(revlog_id / 1000, UTC)


def read_anki_reviews(path: Path, cards: Iterable[DeckCard]) -> AnkiReviews:
    """Read the answers to quizapp's notes in an Anki package. Raises MergeError (one line):
    a package whose collection is not one Anki writes (tables, schema, values in the review
    log) is refused whole, nothing of it is read into the store."""
    by_guid = {note_guid(c.id): c for c in cards}
    found = AnkiReviews(path=path)
    with tempfile.TemporaryDirectory(prefix="quizapp-anki-import-") as folder:
        db = Path(folder) / "collection.sqlite"
        _unpack_collection(path, db)
        try:
            shown = _read_collection(path, db, by_guid)
        except sqlite3.DatabaseError as exc:
            raise MergeError(f"{path}: not a readable Anki collection ({exc})") from None
    found.notes = shown.ours
    found.foreign_notes = shown.notes - shown.ours
    found.foreign_reviews = shown.foreign_answers
    found.other_cards = shown.other_cards
    if not found.notes:
        raise MergeError(
            f"{path} has none of quizapp's notes ({counted(shown.notes, 'other note')}): import "
            "a deck from 'quizapp export --anki' into Anki, study it, then export the collection"
        )
    for revlog_id, ease, taken, kind, guid in shown.rows:
        card = by_guid[guid]
        at = _answer_time(path, revlog_id, ease, kind)
        if ease not in RATING_NAMES:
            continue  # a manual reschedule or a "set due date": no answer was given
        review = {
            "item_id": card.id,
            "kind": card.kind,
            "rating": RATING_NAMES[ease],
            "reviewed_at": at.isoformat(timespec="microseconds"),
            "duration_ms": taken if type(taken) is int and 0 <= taken <= MAX_TAKEN_MS else None,
            "uuid": review_uuid(guid, revlog_id),
        }
        # A preview in a filtered deck left the card's schedule as it was, in Anki: here it is
        # a cram answer, which leaves the FSRS schedule untouched too.
        (found.cram if kind == FILTERED else found.reviews).append(review)
    for guid, (queue, mod, answered) in shown.cards.items():
        # An answer sets the card's mod to its time (in s; the answer's id is in ms): a mod
        # within a second of the last answer is that answer's.
        if answered is None or mod * 1000 > answered + 1000:
            found.suspended[by_guid[guid].id] = (queue == QUEUE_SUSPENDED, mod * 1000)
    return found


def _file_review(r: dict[str, Any]) -> FileReview:
    return FileReview(
        uuid=r["uuid"],
        item_id=r["item_id"],
        kind=r["kind"],
        rating=fsrs.Rating(RATING_VALUES[r["rating"]]),
        reviewed_at=datetime.fromisoformat(r["reviewed_at"]),
        duration_ms=r["duration_ms"],
    )


def plan_anki_import(store: Store, found: AnkiReviews) -> MergePlan:
    """The merge of ``found``'s reviews into ``store``, as for another machine's export; its
    previews in a filtered deck as cram answers (each once, by uuid)."""
    # Planned only: the caller applies it (or not, for --dry-run) with apply_merge.
    plan = merge_reviews(
        store, [_file_review(r) for r in found.reviews], source=str(found.path), dry_run=True
    )
    have = replica.cram_uuids(store.db)
    plan.cram = [
        FileCram(
            uuid=r["uuid"],
            item_id=r["item_id"],
            rating=fsrs.Rating(RATING_VALUES[r["rating"]]),
            reviewed_at=datetime.fromisoformat(r["reviewed_at"]),
            duration_ms=r["duration_ms"],
        )
        for r in found.cram
        if r["uuid"] not in have
    ]
    plan.registers += suspensions(store, found)
    return plan


def suspensions(store: Store, found: AnkiReviews) -> list[Register]:
    """The suspensions made in Anki that win here: each card whose suspension in Anki differs
    from the one here and is newer (its stamp: the time Anki last changed the card)."""
    here = replica.registers(store.db)
    wins = []
    for item, (suspended, mod_ms) in sorted(found.suspended.items()):
        key = f"suspend:{item}"
        stamp_here, value_here = here.get(key, (None, None))
        stamp = f"{mod_ms:013d}.00000.{ANKI_MACHINE}"
        if bool(value_here) == suspended or not hlc.valid(stamp):
            continue
        if stamp_here is None or stamp > stamp_here:
            wins.append(Register(key, True if suspended else None, stamp))
    return wins


def describe(found: AnkiReviews, plan: MergePlan, *, done: bool) -> list[str]:
    """The summary of an import from Anki, one line per kind of change."""
    path, n = found.path, len(found.reviews) + len(found.cram)
    held = len(plan.held_back)
    if not n and plan.registers:
        lines = []
    elif not n:
        lines = [
            f"nothing to import: {path} has {found.notes} of quizapp's notes but no answers to "
            "them (export from Anki with scheduling included)"
        ]
    elif plan.reviews:
        lines = plan.describe(done=done)[:1]  # "added K of the N reviews in FILE (...)"
    else:
        here = n - held - len(plan.cram)
        if not (held or plan.cram):
            lines = [
                f"nothing new in {path}: {'the' if here == 1 else 'all'} "
                f"{counted(here, 'answer')} to quizapp's notes {'is' if here == 1 else 'are'} "
                "already here"
            ]
        else:
            lines = [f"no new review in {path} ({counted(here, 'answer')} already here)"]
            lines = lines if here else []
    lines += [register_line(r, done) for r in plan.registers]
    if plan.cram:
        lines.append(
            f"{'added' if done else 'would add'} {counted(len(plan.cram), 'answer')} in {path} "
            "from a filtered deck that does not reschedule, as cram answers (the schedule is "
            "untouched, as in Anki)"
        )
    if held:
        newest = max(r.reviewed_at for r in plan.held_back)
        lines.append(
            f"held back {counted(held, 'answer')} dated more than a day ahead of this machine's "
            f"clock (the latest {newest:%Y-%m-%d %H:%M} UTC): check the clock of the machine "
            f"Anki ran on; {'it imports' if held == 1 else 'they import'} once this clock "
            "reaches them"
        )
    if found.other_cards:
        lines.append(
            f"skipped {counted(found.other_cards, 'answer')} to cards of a card type added in "
            "Anki to quizapp's notes (only the notes' own card is quizapp's)"
        )
    if found.foreign_notes:
        notes, reviews = found.foreign_notes, found.foreign_reviews
        lines.append(
            f"skipped {notes} note{'s' if notes != 1 else ''} that "
            f"{'are' if notes != 1 else 'is'} not quizapp's ({reviews} "
            f"answer{'s' if reviews != 1 else ''})"
        )
    return lines
