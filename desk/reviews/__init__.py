"""The review pages, ``/desk/reviews/``: the managing editor's queue, assigning and metrics,
and the reviewer's desk."""
