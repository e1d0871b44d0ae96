"""The audit trail pages, ``/desk/audit/``."""
