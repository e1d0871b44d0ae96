"""The lowest layer: what every app shares and nothing in the project underlies.

Domain errors, roles and permission names, the actor type, generic access decorators and the
audit action registry.
It imports only Django and the standard library (``tests/core/test_layering.py``)."""
