"""What a conversion to PDF can fail with; the messages are Swedish, for the job's page."""

from __future__ import annotations


class ConverterUnavailable(RuntimeError):
    """LibreOffice (or a font the drawn pages need) cannot be used on this machine; the message says why."""


class ConversionFailed(RuntimeError):
    """LibreOffice ran but could not convert the document; the message says so, in Swedish."""
