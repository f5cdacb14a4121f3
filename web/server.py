"""The WSGI server under `atalaya serve`: waitress for plain HTTP, cheroot when TLS is set.

waitress cannot terminate TLS. cheroot (CherryPy's threaded server, pure Python) can, with the
standard library's ssl module. Plain HTTP stays on waitress: it is what bench/bench_web.py
measures, and it clears proxy headers it does not trust, which matters behind a TLS proxy.
"""

from __future__ import annotations

import ipaddress
import signal
import ssl
import threading
from pathlib import Path

from flask import Flask

from atalaya.settings import SettingsError, WebSettings


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name other than localhost may resolve anywhere


def public_bind_refusal(host: str, tls: bool, allow_public: bool) -> str | None:
    """Why serving on `host` is refused, or None when it is allowed."""
    if is_loopback(host) or tls or allow_public:
        return None
    return (
        f"refusing to serve on {host!r} (not loopback) without TLS: set [web] tls_cert and "
        "tls_key, or set [web] allow_public = true once a TLS reverse proxy fronts Atalaya, "
        "or keep host = 127.0.0.1"
    )


def tls_files(conf: WebSettings) -> tuple[Path, Path] | None:
    """The certificate and key to serve with, None for plain HTTP; SettingsError if half set
    or unreadable (checked before anything starts, so the message is the first line seen)."""
    if not conf.tls_cert and not conf.tls_key:
        return None
    if not (conf.tls_cert and conf.tls_key):
        raise SettingsError("[web] tls_cert and tls_key go together: set both or neither")
    cert, key = Path(conf.tls_cert), Path(conf.tls_key)
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise SettingsError(f"[web] tls_cert {cert} / tls_key {key}: {exc}") from None
    return cert, key


def run(app: Flask, conf: WebSettings) -> None:
    """Serve `app` until interrupted (KeyboardInterrupt or SystemExit from a signal)."""
    files = tls_files(conf)
    if files is None:
        from waitress import serve

        serve(
            app,
            host=conf.host,
            port=conf.port,
            threads=conf.threads,
            ident="atalaya",
            clear_untrusted_proxy_headers=True,
        )
        return
    from cheroot.ssl.builtin import BuiltinSSLAdapter
    from cheroot.wsgi import Server

    server = Server((conf.host, conf.port), app, numthreads=conf.threads, server_name="atalaya")
    adapter = BuiltinSSLAdapter(str(files[0]), str(files[1]))
    # TLS 1.2 at least: what ISO 27001 A.8.24 reviews expect of a management interface.
    adapter.context.minimum_version = ssl.TLSVersion.TLSv1_2
    server.ssl_adapter = adapter
    # SIGTERM stops cheroot from a helper thread instead of raising KeyboardInterrupt wherever
    # the main thread happens to be inside cheroot's loop: start() then simply returns, and a
    # stop never depends on where an asynchronous exception lands.
    previous = signal.signal(
        signal.SIGTERM, lambda _n, _f: threading.Thread(target=server.stop, daemon=True).start()
    )
    try:
        server.start()
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
