"""E-mail addresses: their normal form, the name they suggest, and the organisation
their domain stands for (none for free-mail domains, where anyone can have an address)."""

from __future__ import annotations

import re

FREE_MAIL = frozenset({
    "aol.com", "gmail.com", "googlemail.com", "gmx.com", "gmx.de", "gmx.net", "hey.com",
    "hotmail.com", "hotmail.co.uk", "hotmail.fr", "icloud.com", "live.com", "mac.com", "mail.com",
    "mail.ru", "me.com", "msn.com", "outlook.com", "pm.me", "proton.me", "protonmail.com",
    "qq.com", "t-online.de", "web.de", "yahoo.co.uk", "yahoo.com", "yahoo.fr", "yandex.com",
    "yandex.ru", "zoho.com", "fastmail.com", "fastmail.fm", "laposte.net", "orange.fr",
    "free.fr", "libero.it", "btinternet.com", "comcast.net", "verizon.net", "att.net",
    "earthlink.net", "juno.com", "rocketmail.com", "ymail.com", "posteo.de", "tutanota.com",
})
"""Domains where anyone can have an address: they say nothing of an organisation."""

_ADDRESS = re.compile(r"[^@\s<>()\[\],;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
MAX_ADDRESS = 320


def normal_address(text: str) -> str | None:
    """The address in its stored form (lower case, no 'mailto:'), or None when it is not one."""
    text = text.strip().strip("<>").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    text = text.lower()
    if len(text) > MAX_ADDRESS or not _ADDRESS.fullmatch(text):
        return None
    return text


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower()


def organisation_domain(address: str) -> str | None:
    """The domain that names the sender's organisation, or None for free mail."""
    domain = domain_of(address)
    return None if domain in FREE_MAIL else domain


def name_from_address(address: str) -> str:
    """A readable name where the mail gives none: 'helen.brandt@x' is 'Helen Brandt'."""
    local = address.split("@", 1)[0].split("+", 1)[0]
    words = [w for w in re.split(r"[._\-]+", local) if w]
    return " ".join(w.capitalize() for w in words) or address


def organisation_name(domain: str) -> str:
    """'northwind-traders.co.uk' is 'Northwind Traders'."""
    parts = domain.lower().split(".")
    second_level = {"co", "com", "org", "net", "ac", "gov", "edu"}
    while len(parts) > 2 and parts[-2] in second_level:
        parts = parts[:-1]
    core = parts[-2] if len(parts) >= 2 else parts[0]
    return " ".join(w.capitalize() for w in re.split(r"[-_]+", core) if w) or domain


def display_name(name: str | None, address: str) -> str:
    """The name a mail header or a card gives, cleaned; the address's own otherwise."""
    cleaned = " ".join((name or "").replace('"', " ").replace("'", " ").split())
    if "," in cleaned and cleaned.count(",") == 1:  # 'Brandt, Helen'
        last, first = (p.strip() for p in cleaned.split(","))
        cleaned = f"{first} {last}".strip()
    if not cleaned or "@" in cleaned or len(cleaned) > 200:
        return name_from_address(address)
    return cleaned
