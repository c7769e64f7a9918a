"""Rendered parts kept by input hash (tasks.rendering.parts), on SQLite and PostgreSQL: found by any later
render, forgotten when their file is gone, recorded at once (a failing job keeps them), one record per key."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db, sqlite_read_only
from app.storage import get_storage
from tasks.models import RenderedPart
from tasks.rendering.parts import StoredParts


@pytest.fixture(autouse=True)
def as_in_a_task(app):
    """The session only reads, as a task's does (its writes go through their own transactions)."""
    db.session.commit()
    with sqlite_read_only():
        yield
    db.session.rollback()


def test_a_part_is_found_by_a_later_render_and_kept_when_the_job_rolls_back(app):
    first = StoredParts()
    entry = first.put("abc.pdf", b"%PDF-1.7 rapport")
    db.session.rollback()  # the job failed later: its own transaction is gone, the record is not
    later = StoredParts()
    assert later.get("abc.pdf") == b"%PDF-1.7 rapport"
    assert later.used == {"abc.pdf": entry} and entry["size"] == len(b"%PDF-1.7 rapport")
    assert later.get("other.pdf") is None and "other.pdf" not in later.used


def test_a_part_whose_file_is_gone_is_forgotten_and_made_again(app):
    entry = StoredParts().put("gone.pdf", b"%PDF-1.7 borta")
    get_storage().local_path(entry["key"]).unlink()
    parts = StoredParts()
    assert parts.get("gone.pdf") is None and parts.entry("gone.pdf") is None
    db.session.rollback()  # a new snapshot, as the next job's
    assert db.session.scalar(select(func.count()).select_from(RenderedPart)) == 0
    again = parts.put("gone.pdf", b"%PDF-1.7 igen")
    db.session.rollback()
    assert StoredParts().get("gone.pdf") == b"%PDF-1.7 igen" and again["key"] != entry["key"]


def test_the_same_part_stored_twice_keeps_one_record(app):
    one, two = StoredParts(), StoredParts()
    assert one.get("same.pdf") is None and two.get("same.pdf") is None  # both render it …
    one.put("same.pdf", b"%PDF-1.7 samma")
    two.put("same.pdf", b"%PDF-1.7 samma")  # … and both store it
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(RenderedPart)) == 1
    assert StoredParts().get("same.pdf") == b"%PDF-1.7 samma"
