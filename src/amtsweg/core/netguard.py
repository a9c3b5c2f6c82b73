"""Guard against server-side request forgery through addresses that API clients give us.

A sender (an online service, not trusted) chooses the URL the platform later POSTs its `new-events`
callback to. Without a guard it could make the platform call internal services: `https://10.0.0.5/`,
the cloud metadata service at `169.254.169.254`, `https://localhost/`, or a public name whose DNS answer
points inside. The rules, as webhook senders commonly apply them:

- https only (plain http only with `AMTSWEG_CALLBACK_ALLOW_PRIVATE_NETWORKS` and only to `localhost` or a
  non-public IP literal, so local setups and tests can use a loopback endpoint);
- every address the host resolves to must be globally routable: no private, loopback, link-local,
  site-local, multicast, reserved, unspecified or shared (100.64/10) address, also not wrapped in IPv6
  (IPv4-mapped `::ffff:…`, NAT64 `64:ff9b::…`), and no tunnel prefix that forwards to an embedded IPv4
  address through a relay (6to4, Teredo). One bad address refuses the whole name (a client may try any).
- a deployment may open private networks where its Fachverfahren live (`AMTSWEG_CALLBACK_ALLOWED_NETWORKS`,
  CIDR list) for the destination callbacks its authorities' staff configure; callers pass them as
  `allowed`. Sender callbacks (any online service) never get them.

Two stages: `static_problem` needs no DNS (the API runs it when the sender announces; DNS answers change
and lookups are slow), `check` adds the lookup (the delivery runs it right before the POST).

DNS rebinding: a name may resolve to a public address for the check and to an internal one a moment
later. `client()` therefore checks again inside the connection itself: its transport resolves the name,
checks every address and connects to exactly those checked addresses (TLS still verifies the certificate
against the name); a kept-alive connection was checked when it was opened. The client follows no
redirects and ignores environment proxies on purpose (a proxy would resolve the name itself, after our
check). Not covered: the port (any is allowed), and callers that use another HTTP client than `client()`
get only the one-time `check`, open to rebinding between check and connect.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import re
import socket
import typing

import httpcore
import httpx
from django.conf import settings
from django.utils.translation import gettext

logger = logging.getLogger(__name__)
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # well-known prefix: the last 32 bits are an IPv4 address
# Never public, whatever the running Python's `ipaddress` tables say (they changed between 3.11 and 3.13,
# and `fec0::/10` counts as global in all of them). The rest of the special registries is left to them.
NOT_PUBLIC: tuple[IPNetwork, ...] = tuple(ipaddress.ip_network(n) for n in (
    "fec0::/10",  # IPv6 site-local (deprecated by RFC 3879, still routed inside old networks)
    "2002::/16",  # 6to4: a relay forwards to the IPv4 address in bits 16-48, which may be internal
    "2001::/32",  # Teredo: the same through a Teredo relay (the client address is embedded, obfuscated)
    "64:ff9b:1::/48",  # local-use NAT64 (RFC 8215): the operator's own translator into its IPv4 networks
    "::/96",  # IPv4-compatible (deprecated): `::127.0.0.1`
    "::ffff:0:0:0/96",  # IPv4-translated (RFC 2765)
    "100::/64",  # discard-only (RFC 6666)
    "2001:db8::/32", "3fff::/20",  # documentation (RFC 3849, RFC 9637)
    "0.0.0.0/8",  # "this network": Linux connects 0.0.0.0 to the local host
    "192.88.99.0/24",  # 6to4 relay anycast (RFC 7526)
))
_LEGACY_IPV4 = re.compile(r"[0-9a-fA-Fx.]+")  # 127.1, 0x7f000001, 2130706433: inet_aton reads them


class Refused(ValueError):
    """The URL must not be called; the sender cannot fix it by waiting (a permanent delivery error)."""


class Unresolvable(Exception):
    """The host name did not resolve right now; DNS may answer later (a temporary delivery error)."""


def allow_private_networks() -> bool:
    """Read at call time, so tests and local setups can switch it per settings override."""
    return bool(getattr(settings, "AMTSWEG_CALLBACK_ALLOW_PRIVATE_NETWORKS", False))


def allowed_networks() -> tuple[IPNetwork, ...]:
    """The private networks a deployment opens for destination callbacks (`AMTSWEG_CALLBACK_ALLOWED_NETWORKS`).

    Read at call time (tests switch it per settings override); a malformed entry is a configuration
    error that the system check `amtsweg.E004` reports at startup.
    """
    return parse_networks(getattr(settings, "AMTSWEG_CALLBACK_ALLOWED_NETWORKS", ()))


def parse_networks(entries: typing.Iterable[str] | str) -> tuple[IPNetwork, ...]:
    """CIDR strings (a list, or one string separated by commas or blanks) as networks; `ValueError` if one
    is malformed or has host bits set (`10.0.0.5/8` is more likely a typo than a network)."""
    if isinstance(entries, str):
        entries = entries.replace(",", " ").split()
    return tuple(ipaddress.ip_network(entry.strip()) for entry in entries if entry.strip())


def _unwrapped(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv4-mapped or well-known-NAT64 IPv6 address reaches, else `address` itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def is_public(address: IPAddress) -> bool:
    """True if `address` is globally routable unicast, after unwrapping IPv4 embedded in IPv6."""
    if any(address in network for network in NOT_PUBLIC):
        return False
    address = _unwrapped(address)
    if address.is_multicast:  # 224.0.0.0/4 counts as "global" in the ipaddress module
        return False
    return (
        address.is_global
        and not any(address in network for network in NOT_PUBLIC)
        and not (
            address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
            or address.is_unspecified or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
        )
    )


def may_call(address: IPAddress, allowed: typing.Sequence[IPNetwork] = ()) -> bool:
    """True if the platform may connect to `address`: public, or inside a network the deployment allows."""
    if is_public(address):
        return True
    return any(candidate in network for candidate in {address, _unwrapped(address)} for network in allowed)


def _literal(host: str) -> IPAddress | None:
    """The IP address `host` spells, including the legacy IPv4 forms the resolver accepts, or None."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _LEGACY_IPV4.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _is_localhost(host: str) -> bool:
    return host == "localhost" or host.endswith(".localhost")  # RFC 6761: always loopback


def _parse(url: str) -> tuple[str, str, int]:
    """Scheme, host (IDNA, lower case, no brackets or trailing dot) and port, as the HTTP client reads them.

    httpx's own parser, so the host checked here is the host the client connects to.
    """
    try:
        parsed = httpx.URL(url)
        host = parsed.raw_host.decode("ascii").lower().rstrip(".")
    except (httpx.InvalidURL, TypeError, UnicodeError) as exc:
        raise Refused(gettext("Die Callback-Adresse ist keine gültige URL.")) from exc
    if not host or "%" in host:  # percent-escapes and IPv6 zone ids have no place in a callback host
        raise Refused(gettext("Die Callback-Adresse ist keine gültige URL."))
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return parsed.scheme, host, port


def static_problem(url: str, allowed: typing.Sequence[IPNetwork] = ()) -> str | None:
    """Why `url` is refused without asking DNS (scheme, `localhost`, IP literals), or None."""
    try:
        _static(url, allowed)
    except Refused as exc:
        return str(exc)
    return None


def _static(url: str, allowed: typing.Sequence[IPNetwork] = ()) -> tuple[str, int]:
    scheme, host, port = _parse(url)
    literal = _literal(host)
    local = _is_localhost(host) or (literal is not None and not is_public(literal))
    if scheme != "https" and not (scheme == "http" and local and allow_private_networks()):
        raise Refused(gettext("Die Callback-Adresse muss mit https:// beginnen."))
    if allow_private_networks():
        return host, port
    if _is_localhost(host):
        raise Refused(gettext("Die Callback-Adresse darf nicht auf localhost zeigen."))
    if literal is not None and not may_call(literal, allowed):
        raise Refused(
            gettext("Die Callback-Adresse zeigt auf eine nicht öffentliche IP-Adresse ({address}).").format(
                address=literal
            )
        )
    return host, port


def resolve(host: str, port: int) -> list[IPAddress]:
    """All addresses of `host` (tests replace this function). Raises `Unresolvable`."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Unresolvable(
            gettext("Der Name der Callback-Adresse ({host}) lässt sich nicht auflösen.").format(host=host)
        ) from exc
    addresses = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise Unresolvable(
            gettext("Der Name der Callback-Adresse ({host}) lässt sich nicht auflösen.").format(host=host)
        )
    return addresses


def checked_addresses(host: str, port: int, allowed: typing.Sequence[IPNetwork] = ()) -> list[IPAddress]:
    """Resolve `host` and return its addresses if every one of them may be called; else `Refused`."""
    addresses = resolve(host, port)
    if not allow_private_networks():
        for address in addresses:
            if not may_call(address, allowed):
                # The address goes to the log only: whoever sets the URL (authority staff, or a sender
                # reading a staff screen) must not learn what internal names resolve to.
                logger.warning("callback address refused", extra={"host": host, "resolved": str(address)})
                raise Refused(
                    gettext("Die Callback-Adresse {host} führt zu einer nicht öffentlichen IP-Adresse.").format(
                        host=host
                    )
                )
    return addresses


def check(url: str, allowed: typing.Sequence[IPNetwork] = ()) -> list[IPAddress]:
    """The full check with DNS: `Refused` (permanent), `Unresolvable` (try later) or the checked addresses."""
    host, port = _static(url, allowed)
    return checked_addresses(host, port, allowed)


def destination_callback_problem(url: str) -> str | None:
    """Why staff may not save `url` as a destination's callback, or None: the static checks and, unless
    private networks are open for local setups and tests, the DNS answer, both with the deployment's
    allow-list. A name that does not resolve is refused too: staff see it at once, not at the first
    delivery. Saving does not make it safe for later; delivery and connection check again.
    """
    allowed = allowed_networks()
    try:
        host, port = _static(url, allowed)
        if not allow_private_networks() and _literal(host) is None:  # a literal was checked just now
            checked_addresses(host, port, allowed)
    except (Refused, Unresolvable) as exc:
        return str(exc)
    return None


# --- HTTP client that connects only to checked addresses ----------------------------------------------------


class _CheckingBackend(httpcore.NetworkBackend):
    """Resolves and checks at connect time and connects to the checked address itself (no second lookup)."""

    def __init__(self, allowed: typing.Sequence[IPNetwork] = ()) -> None:
        self._inner = httpcore.SyncBackend()
        self._allowed = tuple(allowed)

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: typing.Iterable[typing.Any] | None = None) -> httpcore.NetworkStream:
        try:
            addresses = checked_addresses(host, port, self._allowed)
        except Unresolvable as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        error: Exception | None = None
        for address in addresses:
            try:
                return self._inner.connect_tcp(str(address), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: typing.Iterable[typing.Any] | None = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("Unix sockets are not allowed for callbacks.")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


# httpcore's exceptions as httpx's of the same name, most specific first (what callers catch: `httpx.HTTPError`).
_HTTPX_ERRORS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout), (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout), (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.ConnectError, httpx.ConnectError), (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError), (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError), (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol), (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.NetworkError, httpx.NetworkError), (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def _as_httpx_errors() -> typing.Iterator[None]:
    """Raise httpcore's errors as httpx's; anything else (`Refused` from the connect-time check) unchanged."""
    try:
        yield
    except Exception as exc:
        for httpcore_error, httpx_error in _HTTPX_ERRORS:
            if isinstance(exc, httpcore_error):
                raise httpx_error(str(exc)) from exc
        raise


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, stream: typing.Iterable[bytes]) -> None:
        self.stream = stream

    def __iter__(self) -> typing.Iterator[bytes]:
        with _as_httpx_errors():
            yield from self.stream

    def close(self) -> None:
        close = getattr(self.stream, "close", None)
        if close is not None:
            close()


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport over httpcore's connection pool with the checking network backend.

    httpx's `HTTPTransport` takes no `network_backend`, so this transport maps requests, responses and
    errors between httpx and httpcore itself, on both libraries' public APIs only (issue 13), instead of
    replacing `HTTPTransport`'s private pool. No proxy (a proxy would resolve the name itself, after our
    check), no environment settings.
    """

    def __init__(self, allowed: typing.Sequence[IPNetwork] = ()) -> None:
        self.connections = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=100,  # httpx's default limits
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=_CheckingBackend(allowed),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        url = request.url
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _as_httpx_errors():
            response = self.connections.handle_request(core_request)
        assert isinstance(response.stream, typing.Iterable)
        return httpx.Response(status_code=response.status, headers=response.headers,
                              stream=_ResponseStream(response.stream), extensions=response.extensions)

    def close(self) -> None:
        with _as_httpx_errors():
            self.connections.close()


def client(timeout: float, allowed: typing.Sequence[IPNetwork] = ()) -> httpx.Client:
    """A client for untrusted URLs: checked connections, no redirects, no environment proxies.

    `allowed`: private networks this client may reach besides public addresses (destination callbacks).
    """
    return httpx.Client(transport=GuardedTransport(allowed), timeout=httpx.Timeout(timeout), follow_redirects=False,
                        trust_env=False)
