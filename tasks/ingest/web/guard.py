"""No fetch reaches a private, loopback, link-local, multicast or reserved address.

The check runs inside the connection layer, on the addresses DNS returned, and the socket
then connects to the very address that passed: a second lookup (DNS rebinding) never gets a
say. Every hop of a redirect opens its connection through here too. Pooled connections are
reused only for the same origin, which passed when it was opened."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import anyio
import httpcore

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]


class BlockedAddress(Exception):
    """The host resolves to an address the crawler must not connect to."""


ANY_PORT = -1
DEFAULT_PORTS = frozenset({80, 443})


def _split_port(entry: str) -> tuple[str, frozenset[int]]:
    """ "host:8080" → (host, {8080}); "host:*" → any port; "host" → 80 and 443 only.
    IPv6 takes brackets when it has a port ("[::1]:8080"); a bare "::1" is an address."""
    entry = entry.strip()
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif entry.count(":") == 1:
        host, _, port = entry.partition(":")
    else:
        host, port = entry, ""
    if not port:
        return host, DEFAULT_PORTS
    if port == "*":
        return host, frozenset({ANY_PORT})
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"allow-list entry {entry!r}: the port must be a number or *")
    return host, frozenset({int(port)})


@dataclass(frozen=True)
class AddressGuard:
    hosts: tuple[tuple[str, frozenset[int]], ...] = ()
    networks: tuple[tuple[IPNetwork, frozenset[int]], ...] = ()

    @classmethod
    def from_allow(cls, allow: Iterable[str]) -> AddressGuard:
        """Entries are host names, addresses or networks (CIDR), each with the port it
        opens (":8080", ":*" for every port; none: 80 and 443). An allowed host does not
        open every service it runs: a redirect to its port 1 stays refused."""
        hosts: list[tuple[str, frozenset[int]]] = []
        networks: list[tuple[IPNetwork, frozenset[int]]] = []
        for entry in allow:
            host, ports = _split_port(entry)
            try:
                networks.append((ipaddress.ip_network(host, strict=False), ports))
            except ValueError:
                hosts.append((host.lower().rstrip("."), ports))
        return cls(tuple(hosts), tuple(networks))

    def allows(self, host: str, address: str, port: int) -> bool:
        ip = ipaddress.ip_address(address.split("%")[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        name = host.lower().rstrip(".")
        for allowed, ports in self.hosts:
            if allowed == name and (port in ports or ANY_PORT in ports):
                return True
        for net, ports in self.networks:
            if ip in net and (port in ports or ANY_PORT in ports):
                return True
        # is_global is False for private, loopback, link-local, shared (CGNAT) and reserved
        # ranges; multicast addresses can be "global", so they are refused on their own.
        return ip.is_global and not ip.is_multicast

    def pick(self, host: str, addresses: list[str], port: int) -> str:
        """The first address that may be used; every one is refused if any is not, because a
        host that also answers with an internal address is not a public news site."""
        refused = [a for a in addresses if not self.allows(host, a, port)]
        if refused or not addresses:
            where = ", ".join(refused) or "nothing"
            # The observed value a user reads in `newsdesk quarantine`: what to set when the
            # address is one of theirs (a test server, an intranet mirror).
            entry = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
            raise BlockedAddress(
                f"{host}:{port} resolves to {where}, not a public address: refused unless "
                f"[fetch] allow or NEWSDESK_FETCH_ALLOW lists {entry}"
            )
        return addresses[0]


async def resolve(host: str, port: int) -> list[str]:
    infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's anyio backend, connecting only to addresses the guard has checked."""

    def __init__(self, guard: AddressGuard, resolver: Resolver = resolve) -> None:
        self._guard = guard
        self._resolve = resolver
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout):
                addresses = await self._resolve(host, port)
        except (OSError, TimeoutError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        address = self._guard.pick(host, addresses, port)
        # TLS still verifies the certificate against the host name: httpcore passes the
        # origin's host as server_hostname when it upgrades this stream.
        return await self._inner.connect_tcp(
            address,
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
