"""The review log's signing key: from the environment in production, generated for the demo.

The key signs every checkpoint (``audit.log``), so whoever holds it can vouch for a history;
it is read from ``VETTED_LOG_SIGNING_KEY`` (Go's ``PRIVATE+KEY+...`` text, which
``manage.py log_key --new`` prints). Without it, a key is generated once into the file
``VETTED_LOG_SIGNING_KEY_FILE`` (``var/`` by default) and reused, so that ``make run`` and the
tests sign with a stable key; a production deployment sets the variable, and the log names its
key on the editorial policy page and at ``/.well-known/vetted-log-key`` either way.
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

from .signed_note import Signer, Verifier, generate_signer, read_signer

log = logging.getLogger(__name__)


def origin() -> str:
    """The log's name, first line of every checkpoint and the key's name: ``<host>/review-log``."""
    configured: str = settings.VETTED.get("LOG_ORIGIN", "")
    if configured:
        return configured
    host = urlsplit(settings.SITE_URL).netloc or "vetted.localhost"
    return f"{host}/review-log"


@functools.cache
def signer() -> Signer:
    text: str = settings.VETTED.get("LOG_SIGNING_KEY", "")
    if text:
        key = read_signer(text)
        if key.name != origin():
            log.warning("The log signing key is named %r but the log is %r.", key.name, origin())
        return key
    path = Path(settings.VETTED["LOG_SIGNING_KEY_FILE"])
    if path.exists():
        return read_signer(path.read_text())
    key = generate_signer(origin())
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created readable by its owner only, and never replaced: a new key would orphan every
    # checkpoint signed so far.
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
        file.write(key.text + "\n")
    log.warning(
        "No VETTED_LOG_SIGNING_KEY: generated a review log signing key into %s (fine for a demo; "
        "a production deployment sets the variable).",
        path,
    )
    return key


def verifier() -> Verifier:
    """The public key readers check checkpoints with."""
    return signer().verifier
