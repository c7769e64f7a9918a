"""The publishing day load test's client (tests/benchmarks/publishing_bench.py) counts what it must: a 500, a
dropped connection and a stale kallelse after the publish are errors; 200, 206 and 304 are not."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

from tests.benchmarks.publishing_bench import LoadReport, _reader, is_error


def test_only_2xx_and_304_are_successes():
    assert [is_error(s) for s in (200, 206, 304, 301, 404, 500, 503)] == [False, False, False, True, True, True, True]


async def _serve(statuses: list[int]) -> tuple[asyncio.AbstractServer, int]:
    """A server answering each request on a connection with the next status (closing it after the list)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for status in statuses:
            while (await reader.readline()) not in (b"\r\n", b""):
                pass
            body = b"Kallelse"
            writer.write(f'HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\nETag: "v"\r\n\r\n'.encode() + body)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def _run(coroutine) -> LoadReport:
    """The coroutine run to its end on a loop of its own, in a thread of its own: a browser test earlier in the same
    test worker leaves Playwright's loop running in this thread, where ``asyncio.run`` refuses."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _read(statuses: list[int], seconds: float = 0.3) -> LoadReport:
    async def run() -> LoadReport:
        server, port = await _serve(statuses)
        report = LoadReport()
        async with server:
            await _reader(port, [("punkt", "/p", {})], time.monotonic() + seconds, report, {})
        return report

    return _run(run())


def test_a_500_and_a_closed_connection_are_counted_as_errors():
    report = _read([200, 304, 500])
    assert report.statuses["200"] >= 1 and report.statuses["304"] >= 1 and report.statuses["500"] >= 1
    assert any(status.startswith("fel") for status in report.statuses)  # the server closes after three replies
    assert report.statuses["500"] == sum(1 for e in report.errors if e.endswith(": 500"))
    assert len(report.errors) == report.requests - report.statuses["200"] - report.statuses["304"]


def test_a_kallelse_with_the_old_etag_after_the_publish_is_stale():
    async def run() -> LoadReport:
        server, port = await _serve([200] * 1000)
        report = LoadReport()
        report.published_at = time.monotonic() - 1
        async with server:
            await _reader(port, [("kallelse", "/k", {})], time.monotonic() + 0.2, report, {"v1": '"v"'})
        return report

    report = _run(run())
    assert report.after[1] >= 1 and report.after[0] == 0
