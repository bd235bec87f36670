"""DRF authentication by partner key: `Authorization: Bearer ao_live_...` (or a test key,
`ao_test_...`, whose account comes back with test_mode set)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from rest_framework import authentication, exceptions

from schedulerAccounts.services import KeyRejected, scheduler_account_for_key


class SchedulerKeyAuthentication(authentication.BaseAuthentication):
    """No header: the public rules (returns None). A valid key: (AnonymousUser, account), so
    `request.auth` is the SchedulerAccount whose limits, tag and rights apply. Anything else in
    the header is a 401: a partner whose key broke must hear about it, not be silently demoted
    to the public limits."""

    keyword = "Bearer"
    # Where other APIs take their keys. A key sent there would otherwise book on the public
    # rules without its tag, extra fields or limits, and the partner would never know.
    MISPLACED_KEY_HEADERS = {"HTTP_X_API_KEY": "X-Api-Key", "HTTP_API_KEY": "Api-Key"}

    def authenticate(self, request):
        header = authentication.get_authorization_header(request)
        if not header:
            for meta, name in self.MISPLACED_KEY_HEADERS.items():
                if request.META.get(meta, "").strip():
                    raise exceptions.AuthenticationFailed(
                        f"The {name} header is not read: send the partner key as "
                        "'Authorization: Bearer <partner key>'."
                    )
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() != self.keyword.lower().encode():
            raise exceptions.AuthenticationFailed(
                "Malformed Authorization header: send 'Authorization: Bearer <partner key>'."
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Malformed partner key.") from None
        try:
            account = scheduler_account_for_key(key)
        except KeyRejected as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from None
        return AnonymousUser(), account

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (with WWW-Authenticate) rather than 403.
        return f'{self.keyword} realm="api"'
