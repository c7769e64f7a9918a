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


def test_a_stream_is_stored_a_chunk_at_a_time_and_a_made_file_moved_in(tmp_path):
    import io

    from app import storage as storage_module

    storage = LocalStorage(tmp_path / "files")
    data = bytes(range(256)) * (3 * storage_module.CHUNK // 256 + 7)  # more than three chunks

    class Reads(io.BytesIO):
        sizes: list[int] = []

        def read(self, size=-1):
            self.sizes.append(size)
            return super().read(size)

    source = Reads(data)
    stored = storage.save_stream(source)
    assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.size == len(data)
    assert storage.read(stored.key) == data and set(source.sizes) == {storage_module.CHUNK}
    with storage.temporary_file(".pdf") as made:
        made.write_bytes(b"%PDF-1.7 made")
        moved = storage.store_path(made)
        assert not made.exists()  # moved in, not copied
    assert storage.read(moved.key) == b"%PDF-1.7 made"
    # a stored file is named as it is; a file elsewhere copied; no temporary file left
    assert storage.store_path(storage.local_path(stored.key)) == stored
    outside = tmp_path / "scan.pdf"
    outside.write_bytes(data)
    assert storage.store_path(outside) == stored and outside.exists()
    assert sorted(p.name for p in (tmp_path / "files").rglob("*") if p.is_file()) == sorted(
        [stored.sha256, moved.sha256]
    )
