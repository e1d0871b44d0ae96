"""The lowest layer: what every app shares and nothing in the project underlies.

Domain errors, roles and permission names, the actor type, generic access decorators, the
audit action registry, and the small tools every layer shares: the client's address, names of
rows that cost no query, storable dates and times, keys-first pagination, the Redis cache client
and what every admin shares.
It imports no project app: only Django, the Django-world libraries the project is built on and
the standard library (``tests/core/test_layering.py``)."""
