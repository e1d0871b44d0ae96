"""The editor's desk, ``/desk/articles/``: dashboard, drafting, versions, actions, changes."""
