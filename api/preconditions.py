"""ETags of the working draft and the ``If-Match`` precondition of a PUT."""

from __future__ import annotations

import re

from articles.models import ArticleVersion

_TAG = re.compile(r'(?:W/)?"(\d{1,18})-(\d{1,18})"')


def etag_for(version: ArticleVersion) -> str:
    # Weak: it names a revision of the content, not the bytes of one representation.
    return f'W/"{version.pk}-{version.revision}"'


def expected_revision(if_match: str, version: ArticleVersion) -> int | None:
    """The revision the client says it edited, if its ``If-Match`` names this version; else ``None``.

    ``*`` matches whatever revision the draft is at. A tag of another version
    (the draft was submitted and a new one opened since) or an unreadable header
    matches nothing, which the caller answers with 412.
    """
    if if_match.strip() == "*":
        return version.revision
    for version_id, revision in _TAG.findall(if_match):
        if int(version_id) == version.pk:
            return int(revision)
    return None
