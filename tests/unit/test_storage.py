"""Local storage: content-addressed, stored once, atomic, never a client's path."""

import hashlib

import pytest

from app.storage import LocalStorage, StorageError


def test_files_are_stored_once_under_their_sha256(tmp_path):
    storage = LocalStorage(tmp_path)
    data = "Verksamhetsberättelse 2016 – §§ åäö".encode()
    first = storage.save(data)
    second = storage.save(data)
    digest = hashlib.sha256(data).hexdigest()
    assert first == second
    assert first.sha256 == digest and first.key == f"{digest[:2]}/{digest}" and first.size == len(data)
    assert storage.read(first.key) == data
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [digest]  # no temp files left


@pytest.mark.parametrize("key", ["../etc/passwd", "ab/../../x", "/etc/passwd", "ab/" + "g" * 64, "ab/cd"])
def test_keys_that_are_not_content_hashes_are_refused(tmp_path, key):
    with pytest.raises(StorageError):
        LocalStorage(tmp_path).read(key)


def test_a_missing_file_is_a_storage_error(tmp_path):
    with pytest.raises(StorageError, match="no stored file"):
        LocalStorage(tmp_path).read("ab/" + "a" * 64)


def test_a_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    import os

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        LocalStorage(tmp_path).save(b"data")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize(
    ("name", "offered"),
    [
        ("Verksamhetsberättelse 2016.pdf", "Verksamhetsberättelse 2016.pdf"),  # Swedish letters kept
        ("Verksamhetsbera\u0308ttelse.pdf", "Verksamhetsberättelse.pdf"),  # decomposed letters composed (NFC)
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\kalle\\Bilaga ett.pdf", "Bilaga ett.pdf"),
        ("rapport\r\nSet-Cookie: x.pdf", "rapportSet-Cookie x.pdf"),
        ("\u202egpj.exe", "gpj.exe"),  # no bidirectional override
        ('Bilaga "1" <a>|b*?.docx', "Bilaga 1 ab.docx"),
        ("...", "fil"),
        ("", "fil"),
        ("x" * 250 + ".docx", "x" * 195 + ".docx"),  # at most 200 characters, the extension kept
    ],
)
def test_download_names_are_safe(name, offered):
    from app.storage import download_name

    assert download_name(name) == offered
