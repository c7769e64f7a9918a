"""The one error type operations raise for bad input; views turn it into 400/422 or form errors."""

from __future__ import annotations

import re


class ValidationError(Exception):
    """Input that cannot be accepted; ``errors`` maps a field name to a Swedish message."""

    def __init__(self, errors: dict[str, str] | str, field: str = "_"):
        if isinstance(errors, str):
            errors = {field: errors}
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))

    @property
    def message(self) -> str:
        return " ".join(self.errors.values())


class ForbiddenError(Exception):
    """The user may not do this here (HTTP 403); the message says why, in Swedish."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class ConflictError(Exception):
    """The request is valid but clashes with the current state (HTTP 409)."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


#: a UTF-16 surrogate on its own (a JSON escape such as \\ud800 gives one): not a character, and not storable
_SURROGATE = re.compile("[\ud800-\udfff]")
INVALID_CHARACTER = "innehåller ett ogiltigt tecken som inte kan sparas."


def has_lone_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def clean_text(value, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    """Strip a text input, refuse control characters and check its length; return the clean text."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: f"{label} måste vara text."})
    text = " ".join(value.split()) if "\n" not in value else value.strip()
    if any((ord(ch) < 32 and ch not in "\n\t") or ord(ch) == 0x7F for ch in text):
        raise ValidationError({field: f"{label} innehåller otillåtna tecken."})
    if has_lone_surrogate(text):
        raise ValidationError({field: f"{label} {INVALID_CHARACTER}"})
    if required and not text:
        raise ValidationError({field: f"{label} måste fyllas i."})
    if len(text) > max_length:
        raise ValidationError({field: f"{label} får vara högst {max_length} tecken (nu {len(text)})."})
    return text
