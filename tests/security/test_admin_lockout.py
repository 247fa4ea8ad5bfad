"""django-axes: repeated failed admin logins lock the client out, by the address the proxy saw."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.test import TestCase, override_settings

PASSWORD = "a-long-password-1"


class AdminLockoutTests(TestCase):
    def setUp(self) -> None:
        User.objects.create_superuser("root", password=PASSWORD)

    def login(self, password: str, **headers: Any) -> int:
        response = self.client.post("/admin/login/", {"username": "root", "password": password}, **headers)
        return response.status_code

    def test_the_right_password_signs_in(self) -> None:
        self.assertEqual(self.login(PASSWORD), 302)

    def test_after_the_failure_limit_even_the_right_password_is_refused(self) -> None:
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.assertEqual(self.login("wrong"), 200)  # the form again, with its error
        self.assertEqual(self.login("wrong"), 429)
        self.assertEqual(
            AccessAttempt.objects.get(username="root").failures_since_start, settings.AXES_FAILURE_LIMIT
        )
        self.assertEqual(self.login(PASSWORD), 429)

    def test_a_success_before_the_limit_resets_the_count(self) -> None:
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.login("wrong")
        self.assertEqual(self.login(PASSWORD), 302)
        self.client.logout()
        self.assertEqual(self.login("wrong"), 200)

    def test_the_lockout_is_per_client_address(self) -> None:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.login("wrong", REMOTE_ADDR="203.0.113.7")
        self.assertEqual(self.login(PASSWORD, REMOTE_ADDR="203.0.113.7"), 429)
        self.assertEqual(self.login(PASSWORD, REMOTE_ADDR="198.51.100.2"), 302)

    @override_settings(TRUSTED_PROXIES=1)
    def test_behind_the_proxy_the_address_it_appended_counts_not_a_forged_one(self) -> None:
        # The proxy is 10.0.0.1; the attacker varies the X-Forwarded-For entry it writes itself.
        for forged in range(settings.AXES_FAILURE_LIMIT):
            self.login("wrong", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{forged}, 203.0.113.7")
        proxied = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "192.0.2.99, 203.0.113.7"}
        self.assertEqual(self.login(PASSWORD, **proxied), 429)
        self.assertEqual(AccessAttempt.objects.get().ip_address, "203.0.113.7")
        other = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.2"}
        self.assertEqual(self.login(PASSWORD, **other), 302)

    @override_settings(TRUSTED_PROXIES=1)
    def test_a_private_address_appended_by_the_proxy_is_the_client_and_gets_locked_out(self) -> None:
        # The client forges a public address; the proxy appends the private one it saw.
        for forged in range(settings.AXES_FAILURE_LIMIT):
            self.login("wrong", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"9.9.9.{forged}, 10.0.0.5")
        proxied = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "9.9.9.200, 10.0.0.5"}
        self.assertEqual(self.login(PASSWORD, **proxied), 429)
        self.assertEqual(AccessAttempt.objects.get().ip_address, "10.0.0.5")

    def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(self) -> None:
        for forged in range(settings.AXES_FAILURE_LIMIT):
            self.login("wrong", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{forged}")
        self.assertEqual(self.login(PASSWORD, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="1.2.3.4"), 429)
        self.assertEqual(AccessAttempt.objects.get().ip_address, "203.0.113.7")
