"""A worker's start and end: what a killed worker left behind is cleared, and a stopping one leaves nothing.

* At start (``worker_ready``, in the main process), the LibreOffice profile folders whose owner process has
  ended — a worker killed with SIGKILL, whose converters could not be stopped — are removed with the
  processes still using them (tasks.rendering.pdf.remove_abandoned_profiles).
* When a pool process ends (``worker_process_shutdown``; the prefork children do not run ``atexit``), its
  converter is stopped: unoserver and LibreOffice end and the profile folder goes.
"""

from __future__ import annotations

import logging

from celery.signals import worker_process_shutdown, worker_ready, worker_shutdown

from tasks.rendering import pdf

log = logging.getLogger(__name__)


@worker_ready.connect
def _clear_what_a_killed_worker_left(**_kwargs) -> None:
    removed = pdf.remove_abandoned_profiles()
    if removed:
        log.warning("removed %s LibreOffice profiles left by killed workers", removed)


@worker_process_shutdown.connect
@worker_shutdown.connect
def _stop_converter(**_kwargs) -> None:
    pdf.stop_converter()
