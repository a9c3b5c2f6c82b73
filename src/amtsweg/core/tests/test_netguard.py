"""The address table of `netguard.is_public`, row by row, and the deployment's allow-list (`may_call`).

One row per kind of address, with the reason it is (not) public, so a Python upgrade that changes the
`ipaddress` tables or a new special-purpose range shows up here by name.
"""

from __future__ import annotations

import inspect
import ipaddress
import re

import httpcore
import httpx
import pytest

from amtsweg.core import netguard

NOT_PUBLIC = {
    # IPv4
    "0.0.0.0": "unspecified", "0.1.2.3": "this network (0/8)", "10.0.0.5": "private", "100.64.0.1": "shared (CGN)",
    "127.0.0.1": "loopback", "169.254.169.254": "link-local (cloud metadata)", "172.16.0.1": "private",
    "192.0.0.8": "IETF protocol assignments", "192.0.2.1": "documentation", "192.88.99.1": "6to4 relay anycast",
    "192.168.1.1": "private", "198.18.0.1": "benchmarking", "198.51.100.7": "documentation",
    "203.0.113.9": "documentation", "224.0.0.1": "multicast", "239.255.255.250": "multicast (SSDP)",
    "240.0.0.1": "reserved", "255.255.255.255": "broadcast",
    # IPv6
    "::": "unspecified", "::1": "loopback", "fe80::1": "link-local", "fec0::1": "site-local",
    "feff:ffff::1": "site-local (end of fec0::/10)", "fc00::1": "unique local", "fd12:3456::1": "unique local",
    "ff02::1": "multicast", "ff0e::1": "multicast (global scope)", "2001:db8::1": "documentation",
    "3fff::1": "documentation (RFC 9637)", "100::1": "discard-only",
    # IPv4 inside IPv6
    "::ffff:10.0.0.5": "IPv4-mapped private", "::ffff:127.0.0.1": "IPv4-mapped loopback",
    "::ffff:169.254.169.254": "IPv4-mapped link-local", "::ffff:224.0.0.1": "IPv4-mapped multicast",
    "64:ff9b::a00:5": "NAT64 of 10.0.0.5", "64:ff9b::7f00:1": "NAT64 of 127.0.0.1",
    "64:ff9b::e000:1": "NAT64 of multicast", "64:ff9b:1::808:808": "local-use NAT64 (RFC 8215)",
    "::7f00:1": "IPv4-compatible 127.0.0.1", "::808:808": "IPv4-compatible (deprecated)",
    "::ffff:0:7f00:1": "IPv4-translated 127.0.0.1",
    "2002:a00:5::1": "6to4 of 10.0.0.5", "2002:7f00:1::1": "6to4 of 127.0.0.1",
    "2002:808:808::1": "6to4 of a public address (through an unknown relay)",
    "2001:0:4136:e378:8000:63bf:f5ff:fffe": "Teredo (client 10.0.0.1)", "2001::1": "Teredo",
}
PUBLIC = {
    "93.184.215.14": "public IPv4", "8.8.8.8": "public IPv4", "2606:4700::1111": "public IPv6",
    "2a00:1450:4001:80b::200e": "public IPv6", "::ffff:8.8.8.8": "IPv4-mapped public",
    "64:ff9b::808:808": "NAT64 of a public address (IPv6-only hosts reach IPv4 this way)",
}


@pytest.mark.parametrize(("address", "why"), NOT_PUBLIC.items())
def test_not_public(address, why):
    assert not netguard.is_public(ipaddress.ip_address(address)), why


@pytest.mark.parametrize(("address", "why"), PUBLIC.items())
def test_public(address, why):
    assert netguard.is_public(ipaddress.ip_address(address)), why


def test_the_allow_list_opens_only_its_own_networks():
    allowed = netguard.parse_networks("10.20.0.0/16, fd00:fa::/32")
    assert netguard.may_call(ipaddress.ip_address("10.20.1.2"), allowed)
    assert netguard.may_call(ipaddress.ip_address("::ffff:10.20.1.2"), allowed)
    assert netguard.may_call(ipaddress.ip_address("fd00:fa::5"), allowed)
    assert netguard.may_call(ipaddress.ip_address("8.8.8.8"), allowed)
    for address in ("10.21.0.1", "127.0.0.1", "169.254.169.254", "fd00:fb::5"):
        assert not netguard.may_call(ipaddress.ip_address(address), allowed), address


@pytest.mark.parametrize("entries", ["10.0.0.5/8", "10.0.0/8", "intranet", "fd00::/129"])
def test_a_malformed_allow_list_entry_is_an_error(entries):
    with pytest.raises(ValueError):
        netguard.parse_networks(entries)


def test_the_allow_list_reaches_the_url_checks(settings):
    settings.AMTSWEG_CALLBACK_ALLOW_PRIVATE_NETWORKS = False
    allowed = netguard.parse_networks(["10.20.0.0/16"])
    assert netguard.static_problem("https://10.20.1.2/cb", allowed) is None
    assert "nicht öffentliche" in netguard.static_problem("https://10.21.1.2/cb", allowed)
    assert "https://" in netguard.static_problem("http://10.20.1.2/cb", allowed)  # still https only
    assert "localhost" in netguard.static_problem("https://localhost/cb", netguard.parse_networks("127.0.0.0/8"))


def test_the_guarded_transport_stands_on_public_httpx_and_httpcore_names_only():
    """Issue 13: an httpx or httpcore upgrade must not silently drop the connect-time check, so netguard
    names only what the two libraries export, and none of the private attributes httpx's own transport and
    client keep (`_pool` was replaced under `HTTPTransport` before)."""
    source = inspect.getsource(netguard)
    for module in (httpx, httpcore):
        assert set(re.findall(rf"\b{module.__name__}\.(\w+)", source)) <= set(module.__all__), module.__name__
    private = {name for owner in (httpx.HTTPTransport(), httpx.Client()) for name in vars(owner)
               if name.startswith("_") and not name.startswith("__")}
    assert private and not set(re.findall(r"\.(_\w+)", source)) & private
