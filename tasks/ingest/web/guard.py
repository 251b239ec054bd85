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

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]


class BlockedAddress(Exception):
    """The host resolves to an address the crawler must not connect to."""


@dataclass(frozen=True)
class AddressGuard:
    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_allow(cls, allow: Iterable[str]) -> AddressGuard:
        """Entries are host names, addresses or networks (CIDR)."""
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in allow:
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                hosts.add(entry.strip().lower().rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def allows(self, host: str, address: str) -> bool:
        ip = ipaddress.ip_address(address.split("%")[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if host.lower().rstrip(".") in self.hosts or any(ip in net for net in self.networks):
            return True
        # is_global is False for private, loopback, link-local, shared (CGNAT) and reserved
        # ranges; multicast addresses can be "global", so they are refused on their own.
        return ip.is_global and not ip.is_multicast

    def pick(self, host: str, addresses: list[str]) -> str:
        """The first address that may be used; every one is refused if any is not, because a
        host that also answers with an internal address is not a public news site."""
        refused = [a for a in addresses if not self.allows(host, a)]
        if refused or not addresses:
            raise BlockedAddress(f"{host} resolves to {', '.join(refused) or 'nothing'}")
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
        address = self._guard.pick(host, addresses)
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
