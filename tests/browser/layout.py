"""Layout checks the journeys share: boxes that must not overlap one another nor stick out of their container, and
diarienummer and dates that must stay on one line (read from the page in the browser, at the current width)."""

from __future__ import annotations

from tests.browser.ui import DESKTOP, PHONE

#: the boxes of a container that must not overlap one another nor stick out of it: its children, the panel's
#: facts, fields and buttons; a box and one inside it are not compared
OVERLAPS = r"""(selector) => {
  const problems = [];
  for (const container of document.querySelectorAll(selector)) {
    const edge = container.getBoundingClientRect();
    const boxes = [...new Set([...container.children,
      ...container.querySelectorAll('.facts > dt, .facts > dd, .field, .button, button, summary, legend, p')])]
      .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden'
                    && !el.closest('.visually-hidden') && el.getBoundingClientRect().width > 1)
      .filter(el => !el.closest('details:not([open]) > :not(summary)'));
    const name = el => (el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : '')
                        + ' "' + (el.innerText || '').trim().slice(0, 30) + '"');
    for (const el of boxes) {
      const r = el.getBoundingClientRect();
      if (r.left < edge.left - 0.5 || r.right > edge.right + 0.5 || r.top < edge.top - 0.5 || r.bottom > edge.bottom + 0.5) {
        problems.push(`${name(el)} crosses the edge of ${name(container)}`);
      }
    }
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        if (a.contains(b) || b.contains(a)) continue;
        const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
        const x = Math.min(p.right, q.right) - Math.max(p.left, q.left);
        const y = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
        if (x > 0.5 && y > 0.5) problems.push(`${name(a)} overlaps ${name(b)} (${x.toFixed(1)} × ${y.toFixed(1)} px)`);
      }
    }
  }
  return problems;
}"""

#: diarienummer and dates: each on one line (the lines their text's boxes stand on), as tall as one line
BROKEN = r"""(selector) => {
  const problems = [];
  const elements = [...document.querySelectorAll(selector)];
  for (const el of elements) {
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
    const style = getComputedStyle(el);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
    const height = range.getBoundingClientRect().height;
    if (tops.size !== 1 || height > line * 1.25) {
      problems.push(`"${el.innerText.trim()}" stands on ${tops.size} lines, ${height.toFixed(1)} px high (a line: ${line} px)`);
    }
  }
  return {count: elements.length, problems};
}"""


def overlaps(page, selector: str) -> list[str]:
    """What overlaps what, or crosses its container's edge, inside the containers ``selector`` finds."""
    return page.evaluate(OVERLAPS, selector)


def broken(page, selector: str) -> dict:
    """The elements ``selector`` finds that stand on more than one line: {"count": found, "problems": [...]}."""
    return page.evaluate(BROKEN, selector)


#: a diarienummer as the demo's diaria write it (SN-2016/3342.181) or an ISO date, with its time if it has one
NUMBER_OR_DATE = r"\b(?:[A-ZÅÄÖ]{1,6}-\d{4}/\d+(?:\.\d+)?|\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?)(?![\d/])"

#: every diarienummer and date in the main part's text (a form field's hint, running prose, aside): each match on
#: one line (the line boxes its text stands on); hidden text is not counted
NUMBERS_IN_TEXT = r"""(pattern) => {
  const problems = [];
  let count = 0;
  const root = document.querySelector('main') || document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: node => node.parentElement.closest('script, style, textarea, select, .visually-hidden, .field__hint')
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const where = node => {
    const el = node.parentElement;
    const cell = el.closest('td, th, li, dd, p');
    return el.tagName.toLowerCase() + (cell && cell !== el ? ' in ' + cell.tagName.toLowerCase() : '');
  };
  const regex = new RegExp(pattern, 'gu');
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(regex)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom)));
      if (!lines.size) continue;
      count++;
      if (lines.size > 1) problems.push(`"${match[0]}" (${where(node)}) stands on ${lines.size} lines`);
    }
  }
  return {count, problems};
}"""


def assert_numbers_and_dates_whole(page, label: str, *, at_least: int = 1) -> None:
    """At phone and at desktop width, no diarienummer or date on the page breaks across lines: those in its text
    and the elements marked to stay whole (``.nowrap``, the templates' ``nowrap`` filter)."""
    original = page.viewport_size or DESKTOP
    try:
        for size in (PHONE, DESKTOP):
            page.set_viewport_size(size)
            found = page.evaluate(NUMBERS_IN_TEXT, NUMBER_OR_DATE)
            marked = broken(page, ".nowrap")
            where = f"{label} ({page.url}) at {size['width']} px"
            assert found["count"] >= at_least, f"{where}: {found['count']} diarienummer and dates, not {at_least}"
            problems = found["problems"] + marked["problems"]
            assert not problems, f"{where}:\n" + "\n".join(problems)
    finally:
        page.set_viewport_size(original)
