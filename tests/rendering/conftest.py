"""The warm converter, started once per test session (LibreOffice takes seconds to start)."""

from __future__ import annotations

import pytest

from tasks.rendering import pdf


@pytest.fixture(scope="session")
def converter():
    """The process's warm LibreOffice; the PDF tests are skipped, with the reason, without it."""
    reason = pdf.unavailable_reason()
    if reason:
        pytest.skip(f"LibreOffice is not available: {reason}")
    warm = pdf.get_converter()
    warm.start()
    yield warm
    warm.stop()
