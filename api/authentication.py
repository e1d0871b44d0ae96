"""``Authorization: Token <key>``, checked against the hashed keys of ``ApiToken``."""

from __future__ import annotations

import datetime

from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import ApiToken, hash_key

# Recording every use would be a write per request; once a minute is precise enough for "last used".
LAST_USED_PRECISION = datetime.timedelta(minutes=1)
KEYWORD = "Token"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = KEYWORD

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None  # not ours: another scheme (or the session) may authenticate the request
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the header as: Authorization: Token <key>.")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = ApiToken.objects.unrevoked().select_related("user").filter(key_hash=hash_key(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("The token is not valid, or it was revoked.")
        now = timezone.now()
        if token.has_expired(now):
            raise exceptions.AuthenticationFailed(
                f"The token expired on {token.expires_at:%Y-%m-%d %H:%M} UTC; "
                "get a new one with POST /api/v1/auth/token/."
            )
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword
