"""The portal's Playwright fixtures (Debian's Chromium, phone and desktop pages), reused here."""

from gongkai.portal.tests.browser.conftest import chromium, desktop, phone  # noqa: F401
