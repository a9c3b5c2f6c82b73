"""The suite's plugins, registered in one place for src/ and tests/ (see amtsweg/testkit/__init__.py)."""

pytest_plugins = ["amtsweg.testkit.fixtures", "amtsweg.testkit.browser"]
