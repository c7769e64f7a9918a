"""Browser tests: the users' journeys in Debian's Chromium, driven by Playwright (see conftest.py)."""
