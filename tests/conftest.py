"""Fixtures of the tests outside the apps. The one Chromium of a test process is defined here,
once for tests/e2e and tests/federation: Playwright's sync API allows one instance per thread,
so two session fixtures (one per folder) would clash when one worker runs tests of both."""

from tests.browser_fixtures import chromium

__all__ = ["chromium"]
