"""Rate limits read from settings on every request.

DRF's throttles copy ``DEFAULT_THROTTLE_RATES`` once, at import; reading them
through ``api_settings`` each time lets a deployment (or a test) change a rate
with the settings alone.
"""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from core.client_address import client_address


class _FromSettings:
    scope: str

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request) -> str:
        # The address the web login keys on too (core.client_address), not DRF's own reading
        # of X-Forwarded-For under NUM_PROXIES: one setting, one answer, for both doors.
        return client_address(request) or "unknown"


class UserThrottle(_FromSettings, UserRateThrottle):
    pass


class AnonThrottle(_FromSettings, AnonRateThrottle):
    pass


class LoginThrottle(_FromSettings, SimpleRateThrottle):
    """Password-for-token exchanges, counted per client address whoever they claim to be."""

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
