"""The SSRF guard: HTTP destinations reach only public addresses unless allowed."""

from __future__ import annotations

import ipaddress

import pytest

from segmint.exports.base import DestinationError
from segmint.exports.network import check_url, check_url_shape, internal


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "0.0.0.0",  # noqa: S104
        "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "224.0.0.1",
    ],
)  # fmt: skip
def test_internal_addresses(address: str) -> None:
    assert internal(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700::1111", "8.8.8.8"])
def test_public_addresses(address: str) -> None:
    assert not internal(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "https://[::1]/x",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.7/x",
    ],
)
def test_urls_into_the_network_are_refused_unless_allowed(url: str) -> None:
    with pytest.raises(DestinationError, match="allow_private_addresses"):
        check_url(url, allow_private=False)
    check_url(url, allow_private=True)  # an administrator allowed them


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "file:///etc/passwd", "http:///x", "example.com", ""]
)
def test_only_http_urls_with_a_host(url: str) -> None:
    with pytest.raises(DestinationError, match="not an http"):
        check_url_shape(url)


def test_credentials_do_not_belong_in_the_url() -> None:
    with pytest.raises(DestinationError, match="credentials"):
        check_url("https://user:pw@example.com/x", allow_private=True)
