"""A bilaga's PDF without active content, as it goes into the meeting package.

A PDF can carry what runs or reaches out when it is opened: JavaScript (an /OpenAction, additional
actions /AA on the document, its pages, annotations and form fields, the /JavaScript name tree),
actions that start programs (/Launch), open other files (/GoToR, /GoToE), send or load form data
(/SubmitForm, /ImportData), play media (/Rendition, /Movie, /Sound, rich media), links to
``javascript:`` or ``file:`` addresses, attached files (the /EmbeddedFiles name tree, file
attachment annotations, any embedded file stream) and XFA forms. ``clean_pdf`` removes all of
that, walking every object reachable from the trailer; pages, text, pictures, the structure tree
and ordinary links (internal destinations, http(s) and mailto addresses) stay.

The stored original is not touched: the package uses the cleaned copy (tasks.rendering.package).
A PDF with nothing to remove comes back as the very same bytes.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TypeGuard

import pikepdf
from pikepdf import Array, Dictionary, Name

#: bump when what is removed changes, so bilagor cleaned before are made again (package.attachment_input_hash)
CLEAN_VERSION = "1"
#: actions that stay: a jump inside the document, a web or mail address (checked below), a viewer command
SAFE_ACTIONS = {"/GoTo", "/URI", "/Named"}
SAFE_URI_SCHEMES = ("http://", "https://", "mailto:")
#: annotations that are removed outright: attached files and media (which can carry scripts)
REMOVED_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}
#: the catalog's entries that run, embed or hand over the document to something else (and /OpenAction unless
#: it is a destination, the page to open at, which LibreOffice writes)
REMOVED_FROM_CATALOG = ("/AA", "/Collection", "/NeedsRendering")
REMOVED_NAME_TREES = ("/JavaScript", "/EmbeddedFiles", "/AlternatePresentations", "/Renditions")


def clean_pdf(data: bytes) -> bytes:
    """``data`` without active content (see the module's description); unchanged when it has none."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if not _Cleaner(pdf).clean():
            return data
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def clean_pdf_file(source: Path, target: Path) -> bool:
    """The file ``source`` without active content written to ``target``, read and written from disk as qpdf
    needs (never whole in memory); whether anything was written. Nothing is when there was nothing to remove
    (``source`` is the cleaned PDF then). One opened with the empty password is written without it."""
    with pikepdf.open(source, access_mode=pikepdf.AccessMode.stream) as pdf:
        if not _Cleaner(pdf).clean() and not pdf.is_encrypted:
            return False
        pdf.save(target, encryption=False)
        return True


def safe_action(action: pikepdf.Object) -> bool:
    """Whether an action may stay: a GoTo in the document, a Named viewer command, an http(s) or mailto URI."""
    kind = action.get("/S")
    if not isinstance(kind, Name) or str(kind) not in SAFE_ACTIONS:
        return False
    if str(kind) == "/URI":
        uri = action.get("/URI")
        return isinstance(uri, pikepdf.String) and bytes(uri).decode("latin-1").strip().lower().startswith(
            SAFE_URI_SCHEMES
        )
    return True


def _is_action(value: pikepdf.Object | None) -> TypeGuard[Dictionary]:
    return isinstance(value, Dictionary) and (isinstance(value.get("/S"), Name) or value.get("/Type") == Name.Action)


class _Cleaner:
    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.changed = False
        self.seen: set[tuple[int, int]] = set()

    def clean(self) -> bool:
        """Clean the document in place; whether anything was removed."""
        root = self.pdf.Root
        for key in REMOVED_FROM_CATALOG:
            self._delete(root, key)
        if "/OpenAction" in root and not isinstance(root.OpenAction, Array):
            self._delete(root, "/OpenAction")
        names = root.get("/Names")
        if isinstance(names, Dictionary):
            for key in REMOVED_NAME_TREES:
                self._delete(names, key)
        form = root.get("/AcroForm")
        if isinstance(form, Dictionary):
            self._delete(form, "/XFA")
        for page in self.pdf.pages:
            self._clean_annotations(page.obj)
        self._walk(self.pdf.trailer)
        return self.changed

    def _delete(self, dictionary: pikepdf.Object, key: str) -> None:
        if key in dictionary:
            del dictionary[key]
            self.changed = True

    def _clean_annotations(self, page: Dictionary) -> None:
        """Take attached files and media off the page, and links left without a target once cleaned."""
        annotations = page.get("/Annots")
        if not isinstance(annotations, Array):
            return
        kept = []
        for annotation in annotations:
            if not isinstance(annotation, Dictionary):
                continue
            subtype = str(annotation.get("/Subtype", ""))
            action = annotation.get("/A")
            dead_link = (
                subtype == "/Link"
                and "/Dest" not in annotation
                and (action is None or (_is_action(action) and not safe_action(action)))
            )
            if subtype in REMOVED_ANNOTATIONS or dead_link:
                self._disarm(annotation)  # the structure tree may still point at it
                self.changed = True
            else:
                kept.append(annotation)
        if len(kept) != len(annotations):
            page.Annots = Array(kept)

    def _disarm(self, annotation: Dictionary) -> None:
        for key in list(annotation.keys()):
            if key not in ("/Type", "/Subtype", "/Rect", "/P", "/StructParent", "/F"):
                del annotation[key]

    def _walk(self, value: pikepdf.Object) -> None:
        """Remove actions, additional actions and embedded files from every dictionary reachable from ``value``."""
        if isinstance(value, (Dictionary, Array, pikepdf.Stream)) and value.is_indirect:
            if value.objgen in self.seen:
                return
            self.seen.add(value.objgen)
        if isinstance(value, pikepdf.Stream):
            value = value.stream_dict
        if isinstance(value, Dictionary):
            self._clean_dictionary(value)
            children = [value[key] for key in value.keys()]
        elif isinstance(value, Array):
            children = list(value)
        else:
            return
        for child in children:
            if isinstance(child, (Dictionary, Array, pikepdf.Stream)):
                self._walk(child)

    def _clean_dictionary(self, dictionary: Dictionary) -> None:
        self._delete(dictionary, "/AA")  # additional actions: on open, close, focus, keystroke, calculate …
        self._delete(dictionary, "/EF")  # a file specification's embedded file streams
        action = dictionary.get("/A")  # (a structure element's /A holds attributes, not an action: left alone)
        if _is_action(action):
            if not safe_action(action):
                self._delete(dictionary, "/A")
            elif "/Next" in action:
                self._delete(action, "/Next")  # what follows a safe action is not looked at: it goes
        if _is_action(dictionary) and not safe_action(dictionary) and "/JS" in dictionary:
            self._delete(dictionary, "/JS")  # a script action reached some other way (e.g. a /Next array)
