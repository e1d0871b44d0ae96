"""The in-app inbox pages, ``/desk/inbox/``."""
