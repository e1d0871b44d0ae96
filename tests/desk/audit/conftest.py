"""The audit pages' tests write the made-up actions the audit tests declare (tests/audit/conftest.py)."""

import tests.audit.conftest  # noqa: F401  (declares the test-only audit actions on import)
