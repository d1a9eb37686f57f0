"""Which names the sandbox answers to: the `Host` of every request and the `Origin` of control calls.

A web page can make a browser send requests to 127.0.0.1, and a DNS name the page's owner
controls can be made to resolve to 127.0.0.1 (DNS rebinding): such a request carries that name in
`Host`, and a page's `Origin` is its own site. So a request is served only when `Host` names the
sandbox itself: 127.0.0.1, localhost or [::1] (on loopback), the address it was bound to, the
address the client dialled (an IP literal; on a wildcard bind that is how the LAN reaches it),
this machine's own name, or a name the operator allowed with `--allow-host`; always with the
bound port. A control call's `Origin`, when sent, must be `http://` and one of those.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse

_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
_WILDCARDS = ("", "0.0.0.0", "::")


def is_loopback(host: str) -> bool:
    """True when `host` (an address or a name) reaches this machine only."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return False
    return bool(addresses) and all(ipaddress.ip_address(a.split("%", 1)[0]).is_loopback
                                   for a in addresses)


def split_host(value: str) -> tuple[str, int | None] | None:
    """("name", port) of a Host header value ("[::1]:80" -> ("::1", 80)); None if malformed."""
    if not value or any(char.isspace() or char in "/?#@\\" for char in value):
        return None
    if value.startswith("["):
        name, bracket, rest = value[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return None
        port_text = rest[1:] if rest else None
    elif value.count(":") == 1:
        name, _, port_text = value.partition(":")
    elif ":" in value:
        return None   # an IPv6 literal must be in brackets
    else:
        name, port_text = value, None
    if port_text is None:
        return name.lower(), None
    if not port_text.isascii() or not port_text.isdigit() or len(port_text) > 5:
        return None
    return name.lower(), int(port_text)


class ServedNames:
    """The `Host` and `Origin` values one sandbox (bound to host:port) accepts."""

    def __init__(self, bound_host: str, port: int, allowed: tuple[str, ...] = ()) -> None:
        self.port = port
        names = set(_LOOPBACK_NAMES) if is_loopback(bound_host) or bound_host in _WILDCARDS else set()
        if bound_host:
            names.add(bound_host.strip("[]").lower())
        if bound_host in _WILDCARDS:
            names.update(_machine_names())
        names.update(name.strip("[]").lower() for name in allowed)
        self.names = frozenset(names)

    def allows_host(self, value: str | None, dialled: str) -> bool:
        """Whether a request whose Host header is `value`, made to local address `dialled`, is ours."""
        parsed = split_host(value or "")
        if parsed is None:
            return False
        name, port = parsed
        if (port if port is not None else 80) != self.port:
            return False
        return name in self.names or name == dialled.split("%", 1)[0].lower()

    def allows_origin(self, origin: str, dialled: str) -> bool:
        """Whether an Origin header ("http://127.0.0.1:8765") is one of the sandbox's own."""
        parts = urllib.parse.urlsplit(origin)
        if parts.scheme != "http" or parts.path or parts.query or parts.fragment:
            return False
        return self.allows_host(parts.netloc, dialled)

    def shown(self) -> str:
        """The accepted names with the port, for messages."""
        return ", ".join(f"[{name}]:{self.port}" if ":" in name else f"{name}:{self.port}"
                         for name in sorted(self.names))


def _machine_names() -> set[str]:
    names = set()
    for name in (socket.gethostname(), socket.getfqdn()):
        if name:
            names.add(name.lower())
    return names
