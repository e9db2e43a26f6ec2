"""serve: the online platform (第八条) on the same ledger the clerk's commands keep using."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from lcqy.cli._common import db_path, say

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve_cmd(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址（默认只在本机；对外服务请在前面加 HTTPS 反向代理）"),
    port: int = typer.Option(8000, "--port", help="端口"),
    threads: int = typer.Option(8, "--threads", help="同时处理的请求数"),
    proxy: bool = typer.Option(
        False, "--behind-proxy", help="在 HTTPS 反向代理之后运行（采信代理转来的客户地址和协议）"
    ),
):
    """网上办理平台：部门签收、答复、申请延期和退单，领导查看本月情况（按 Ctrl-C 停止）。"""
    from lcqy.errors import LcqyError
    from lcqy.store.db import Ledger

    if not 1 <= port <= 65535:
        raise LcqyError(f"端口（--port）须在 1 至 65535 之间，而不是 {port}。")
    if not 1 <= threads <= 64:
        raise LcqyError(f"并发数（--threads）须在 1 至 64 之间，而不是 {threads}。")
    path = db_path(ctx)
    Ledger.open(path).close()  # a missing or newer ledger is said before anything starts
    from waitress import create_server

    from lcqy.web import create_app

    app = create_app(path, secure_cookies=True, proxy=proxy, warm=True)
    if host not in LOOPBACK and not proxy:
        say(
            f"注意：正在 {host} 上以明文 HTTP 对外服务。密码和企业信息须经 HTTPS 传输：请在前面加反向代理"
            "（nginx、Caddy 等，见 README“网上办理平台”），并加 --behind-proxy；登录 Cookie 只经 HTTPS 发送。"
        )
    server = create_server(app, host=host, port=port, threads=threads, ident="lcqy", clear_untrusted_proxy_headers=True)
    shown = f"[{host}]" if ":" in host else host
    with _stopped_by_signals():  # before the start is said: a stop right after it is not lost
        try:
            say(f"网上办理平台已启动：http://{shown}:{server.effective_port}/  台帐 {path}（按 Ctrl-C 停止）")
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
    say("网上办理平台已停止。")


@contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """Ctrl-C, and a service manager's stop (SIGTERM), end the server the same orderly way. A
    process started in the background by a script inherits SIGINT ignored, and Python then
    leaves it so: without this, such a server could not be stopped but by killing it. The
    handlers it replaced are put back afterwards."""
    import signal
    import threading

    def stop(signum, frame) -> None:
        for each in old:  # once: a second Ctrl-C does not cut the closing short
            signal.signal(each, signal.SIG_IGN)
        raise KeyboardInterrupt

    old: dict = {}
    if threading.current_thread() is threading.main_thread():  # only the main thread may
        for name in ("SIGINT", "SIGTERM", "SIGBREAK"):  # SIGBREAK: Ctrl-Break on Windows
            if hasattr(signal, name):
                old[getattr(signal, name)] = signal.signal(getattr(signal, name), stop)
    try:
        yield
    finally:
        for signum, handler in old.items():
            signal.signal(signum, handler)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_cmd)
