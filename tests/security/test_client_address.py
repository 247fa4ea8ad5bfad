"""One client address for the whole site: throttles, the admin lockout and the logs agree."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.test import RequestFactory, SimpleTestCase, override_settings

from config.client_address import ClientAddressFilter, check_trusted_proxies, client_address
from tests.api.helpers import ApiTestCase


def address(remote: str = "10.0.0.1", forwarded: str | None = None, **overrides: Any) -> str:
    meta: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    with override_settings(**overrides):
        return client_address(RequestFactory().get("/", **meta))


class ClientAddressTests(SimpleTestCase):
    def test_with_no_trusted_proxy_it_is_remote_addr_whatever_the_header_says(self) -> None:
        self.assertEqual(address("203.0.113.7", "9.9.9.9"), "203.0.113.7")

    def test_with_one_trusted_proxy_it_is_the_last_entry_the_proxy_appended(self) -> None:
        self.assertEqual(address("10.0.0.1", "9.9.9.9, 203.0.113.7", TRUSTED_PROXIES=1), "203.0.113.7")

    def test_a_private_address_is_taken_literally_not_skipped_for_a_public_one(self) -> None:
        self.assertEqual(address("10.0.0.1", "9.9.9.9, 10.0.0.5", TRUSTED_PROXIES=1), "10.0.0.5")

    def test_with_two_trusted_proxies_it_is_two_hops_from_the_right(self) -> None:
        chain = "9.9.9.9, 203.0.113.7, 10.0.0.2"
        self.assertEqual(address("10.0.0.1", chain, TRUSTED_PROXIES=2), "203.0.113.7")

    def test_a_chain_shorter_than_the_proxies_gives_its_leftmost_entry(self) -> None:
        self.assertEqual(address("10.0.0.1", "203.0.113.7", TRUSTED_PROXIES=3), "203.0.113.7")
        self.assertEqual(address("203.0.113.7", None, TRUSTED_PROXIES=1), "203.0.113.7")

    def test_ports_are_dropped_and_garbage_falls_back_to_the_next_hop_to_the_right(self) -> None:
        self.assertEqual(address("10.0.0.1", "203.0.113.7:5123", TRUSTED_PROXIES=1), "203.0.113.7")
        self.assertEqual(address("10.0.0.1", "[2001:db8::1]:443", TRUSTED_PROXIES=1), "2001:db8::1")
        self.assertEqual(address("10.0.0.1", "not an address", TRUSTED_PROXIES=1), "10.0.0.1")

    def test_log_records_made_during_a_request_name_its_client(self) -> None:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", None, None)
        record.request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="9.9.9.9")
        with override_settings(TRUSTED_PROXIES=1):
            ClientAddressFilter().filter(record)
        self.assertEqual(record.__dict__["client"], "9.9.9.9")
        logging_config: dict[str, Any] = settings.LOGGING
        formatter = logging.Formatter(logging_config["formatters"]["client"]["format"])
        self.assertIn("client=9.9.9.9", formatter.format(record))

    def test_the_deploy_check_warns_when_behind_a_proxy_with_no_trusted_hop(self) -> None:
        with override_settings(BEHIND_PROXY=True, TRUSTED_PROXIES=0):
            self.assertEqual([m.id for m in check_trusted_proxies()], ["archive.W001"])
        with override_settings(BEHIND_PROXY=True, TRUSTED_PROXIES=1):
            self.assertEqual(check_trusted_proxies(), [])


class ApiThrottleByClientAddressTests(ApiTestCase):
    URL = "/api/v1/topics/"

    def rates(self, **rates: str | None) -> Any:
        return override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates})

    def test_forged_x_forwarded_for_values_do_not_evade_the_anonymous_throttle(self) -> None:
        with self.rates(anon="3/minute"):
            codes = [
                self.client.get(
                    self.URL, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"9.9.9.{n}"
                ).status_code
                for n in range(6)
            ]
        self.assertEqual(codes, [200, 200, 200, 429, 429, 429])

    @override_settings(TRUSTED_PROXIES=1)
    def test_behind_one_proxy_forged_entries_left_of_its_own_do_not_evade_it(self) -> None:
        with self.rates(anon="3/minute"):
            codes = [
                self.client.get(
                    self.URL, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"9.9.9.{n}, 203.0.113.7"
                ).status_code
                for n in range(5)
            ]
            self.assertEqual(codes, [200, 200, 200, 429, 429])
            # Another client behind the same proxy has its own count.
            other = self.client.get(self.URL, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")
            self.assertEqual(other.status_code, 200)
