"""Which names a request's Host header may carry.

A page on another site can reach a server on 127.0.0.1 by DNS rebinding: its own name, made to
point here, and the browser then sends `Host: that-name`. The app also builds absolute links
(the Markdown a "Copy" button copies) from the Host. So the app answers only to the names the
server was started for: localhost, the loopback addresses, the address it listens on, and the
names given with `liner serve --allowed-host`. A server listening on every address (0.0.0.0, ::)
also answers to any IP address as host: a rebinding always arrives under a name, never as an
address, and on a network the server is reached by address unless given a name.
"""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
WILDCARD_ADDRESSES = ("", "0.0.0.0", "::")

# host, or [IPv6], then an optional port; names as RFC 3986 reg-name allows in practice (Werkzeug
# checks the same characters).
_HOST_HEADER = re.compile(r"(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::([0-9]{1,5}))?")


@dataclass(frozen=True)
class HostPolicy:
    names: frozenset[str]  # lower case; IPv6 addresses in brackets
    any_address: bool = False

    @classmethod
    def for_server(cls, bind_host: str, allowed: Iterable[str] = ()) -> "HostPolicy":
        """The names a server listening on `bind_host` answers to, with the `allowed` ones."""
        wildcard = bind_host in WILDCARD_ADDRESSES
        names = [*LOCAL_HOSTS, *allowed, *([] if wildcard else [bind_host])]
        return cls(frozenset(normal_name(name) for name in names), any_address=wildcard)

    def allows(self, host_header: str) -> bool:
        match = _HOST_HEADER.fullmatch(host_header.strip().lower())
        if match is None or (match.group(2) and not 0 < int(match.group(2)) < 65536):
            return False
        name = match.group(1).rstrip(".")  # "localhost." is localhost
        return name in self.names or (self.any_address and _is_address(name))


def normal_name(name: str) -> str:
    """A host name or address (a port, if given, dropped) as `allows` reads it from a Host
    header: lower case, IPv6 addresses in brackets."""
    name = name.strip().lower()
    if _is_address(name) and ":" in name:
        return f"[{name.strip('[]')}]"
    match = _HOST_HEADER.fullmatch(name)
    return (match.group(1) if match else name).rstrip(".")


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True
