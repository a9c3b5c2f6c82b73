"""The test suite's pytest plugins, registered once in the repository's top-level ``conftest.py``.

``amtsweg.testkit.fixtures`` holds every fixture used by more than one app (tenants, the Saarland geography,
offices and responsibilities) and the suite-wide isolation (cache, media, login throttling);
``amtsweg.testkit.browser`` holds the one Playwright setup (Debian's chromium, never a downloaded browser).
App-specific fixtures stay in the app's ``tests/conftest.py``; a fixture name is defined only once in the
whole suite (``amtsweg/testkit/tests/test_suite_rules.py`` checks that).
Test-only code: not part of the layered apps and imported by none of them.
"""
