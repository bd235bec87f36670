"""Sign-in lockout for every login form (admin and scheduler portal)."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for sign-ins that come with a request.

    A call to authenticate() without a request (Django's test client.login, a shell) is no web
    sign-in, so there is no address to lock; axes would raise instead of letting the next
    backend check the password. Every login form in the project passes its request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
