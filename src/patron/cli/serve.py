"""``patron serve``: the local web app on the register in use."""

from __future__ import annotations

import threading
import webbrowser

import click

from patron.cli.app import App, pass_app
from patron.errors import InvalidInput, MissingExtra


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on; any but loopback needs web.token.")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True,
              help="The port to listen on.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in your browser.")
@pass_app
def serve(app: App, host: str, port: int, open_browser: bool) -> None:
    """Serve Patron's pages (Today, engagements, people) on this register, in the
    browser. Every page is also JSON (send 'Accept: application/json'). It listens
    on loopback only unless web.token is set; Ctrl-C stops it. It also serves the
    calendar feed at a secret address ('patron export feed --url').

    Needs the web extra: pip install 'patron[web]'.

    Examples:

        patron serve --open

        patron --demo serve --port 9000
    """
    try:
        from patron.web.security import is_loopback
        from patron.web.server import listen, run
    except ImportError:
        raise MissingExtra("the web app needs its extra: pip install 'patron[web]'") from None
    settings = app.settings()
    if not is_loopback(host) and not str(settings["web.token"]):
        raise InvalidInput(f"serving on {host} lets others reach your register: set a token "
                           "first ('patron config set web.token SECRET'), or serve on 127.0.0.1")
    store = app.store(create=False)
    sock = listen(host, port)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{port}/"
    click.echo(f"Serving {store.location} at {address} (Ctrl-C stops)")
    if open_browser:
        threading.Timer(0.8, webbrowser.open, (address,)).start()
    run(store, settings, app.now, sock, host, port)
    click.echo("Stopped.")
