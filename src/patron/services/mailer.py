"""Sending a message of Patron's to your own addresses over SMTP (``[smtp]`` settings).

The password comes from the environment (``PATRON_SMTP_PASSWORD``), never from the settings
file or the command line, where it would be kept in a file or the shell's history. Any
failure (refused, unreachable, a login refused, a TLS handshake that fails) is one
``DeliveryFailed`` line.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from patron.errors import DeliveryFailed, InvalidInput
from patron.settings import Settings

PASSWORD_VARIABLE = "PATRON_SMTP_PASSWORD"
USUAL_PORTS = {"starttls": 587, "tls": 465, "none": 25}
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    tls: str
    user: str
    password: str | None

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def server(settings: Settings) -> Server:
    tls = str(settings["smtp.tls"])
    port = int(settings["smtp.port"]) or USUAL_PORTS[tls]
    user = str(settings["smtp.user"])
    password = os.environ.get(PASSWORD_VARIABLE)
    if user and not password:
        raise InvalidInput(f"smtp.user is {user!r} but {PASSWORD_VARIABLE} is not set: put the "
                           "password in that environment variable")
    return Server(str(settings["smtp.host"]), port, tls, user, password)


def addresses(settings: Settings) -> tuple[str, list[str]]:
    """(From, To): the digest goes to ``me.emails``, from ``smtp.from`` or the first of them."""
    to = [str(a) for a in settings["me.emails"] if str(a).strip()]
    if not to:
        raise InvalidInput("no address to send to: set me.emails "
                           "(patron config set me.emails you@example.com)")
    return str(settings["smtp.from"]) or to[0], to


def message(sender: str, to: list[str], subject: str, plain: str, html: str) -> EmailMessage:
    """multipart/alternative: the plain text first, the HTML as the richer part."""
    # Lines up to RFC 5322's hard limit: the standard library folds a subject that fits on
    # one continuation line into a leading space readers then show.
    mail = EmailMessage(policy=policy.SMTP.clone(max_line_length=998))
    mail["From"] = sender
    mail["To"] = ", ".join(to)
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail.set_content(plain)
    mail.add_alternative(html, subtype="html")
    return mail


def send(chosen: Server, mail: EmailMessage) -> None:
    """Send one message; DeliveryFailed in one line when the server cannot take it."""
    try:
        with _connect(chosen) as smtp:
            if chosen.tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if chosen.user:
                smtp.login(chosen.user, chosen.password or "")
            smtp.send_message(mail)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryFailed(f"{chosen.where} refused the login for {chosen.user!r}: "
                             f"{_said(exc.smtp_error)}") from None
    except smtplib.SMTPNotSupportedError:
        raise DeliveryFailed(f"{chosen.where} does not offer STARTTLS; set smtp.tls to 'tls' "
                             "or (loopback only) 'none'") from None
    except smtplib.SMTPRecipientsRefused as exc:
        refused = ", ".join(sorted(exc.recipients))
        raise DeliveryFailed(f"{chosen.where} refused the recipient {refused}") from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryFailed(f"{chosen.where} refused the message: {exc.smtp_code} "
                             f"{_said(exc.smtp_error)}") from None
    except (smtplib.SMTPException, ssl.SSLError) as exc:
        raise DeliveryFailed(f"sending through {chosen.where} failed: {exc}") from None
    except (socket.gaierror, ConnectionRefusedError, TimeoutError, OSError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DeliveryFailed(f"cannot reach the mail server {chosen.where}: {reason}") from None


def _connect(chosen: Server) -> smtplib.SMTP:
    if chosen.tls == "tls":
        return smtplib.SMTP_SSL(chosen.host, chosen.port, timeout=TIMEOUT_SECONDS,
                                context=ssl.create_default_context())
    return smtplib.SMTP(chosen.host, chosen.port, timeout=TIMEOUT_SECONDS)


def _said(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())
