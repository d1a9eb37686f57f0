"""`workflow sandbox serve`: run the local Google (Drive, Docs, Sheets, OAuth token endpoint) until Ctrl-C."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

from workflow.cli.context import Context
from workflow.errors import UserError

DEFAULT_DATA_DIR = Path(".workflow/sandbox")


def register(subparsers, parents) -> None:
    parser = subparsers.add_parser(
        "sandbox", parents=parents, help="the local Google sandbox",
        description="A local, stateful stand-in for Google Drive, Docs, Sheets and the OAuth token endpoint.")
    commands = parser.add_subparsers(dest="sandbox_command", metavar="ACTION")
    commands.required = True
    serve = commands.add_parser(
        "serve", parents=parents, help="serve the sandbox until Ctrl-C",
        description="Serve Drive v3, Docs v1, /token and the viewer on one root URL until Ctrl-C.")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1; nothing asks for a login: "
                            "another address lets anyone who reaches it read and change the sandbox)")
    serve.add_argument("--port", type=int,
                       help="port (0 = any free one). Default: where the Doc links of this data point, the port it "
                            "was last served on (the first time 8765; when that is taken, any free port)")
    serve.add_argument("--allow-host", metavar="NAME", action="append", default=[],
                       help="also answer requests whose Host is NAME (a LAN alias of this machine); "
                            "repeatable. 127.0.0.1, localhost, the --host address and, on 0.0.0.0, "
                            "this machine's name and addresses are always answered")
    serve.add_argument("--data", metavar="DIR", type=Path,
                       help="where the state is kept across restarts (default: the site's [google] sandbox_data, "
                            f"{DEFAULT_DATA_DIR} unless configured: where the worker's own sandbox keeps its Docs)")
    serve.set_defaults(func=run_serve)


def run_serve(args, ctx: Context) -> int:
    """Serve until Ctrl-C; exit 0."""
    from workflow.sandbox import SandboxInUse, is_loopback, start, start_at_its_address

    if args.port is not None and not 0 <= args.port <= 65535:
        raise UserError(f"--port must be between 0 and 65535, not {args.port}")
    allowed = tuple(args.allow_host)
    if args.data is None:
        config = ctx.config_if_any()
        args.data = config.resolve(config.get("google", "sandbox_data"))
    try:
        if args.port is None:
            running = start_at_its_address(args.data, host=args.host, allowed_hosts=allowed)
        else:
            running = start(args.data, host=args.host, port=args.port, allowed_hosts=allowed)
    except SandboxInUse as exc:
        # Another workflow process (`workflow run`, another `sandbox serve`) serves this data already.
        ctx.say(f"The sandbox of {args.data} is already served at {exc.url} by another workflow process: "
                f"open {exc.url}")
        return 0
    except OSError as exc:
        where = f"{args.host}:{args.port if args.port is not None else 'its port'}"
        raise UserError(f"cannot serve the sandbox on {where}: {exc.strerror or exc}") from None
    if not is_loopback(args.host):
        ctx.warn(f"serving on {args.host}, not on loopback: nothing in the sandbox asks for a login, "
                 "so anyone who can reach this address can read every Doc and reset or take over the "
                 "sandbox; use it only on a network you trust")
    stopped = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stopped.set())  # systemd / kill: stop like Ctrl-C
    try:
        print(f"Google sandbox serving at {running.url} (state in {args.data}); Ctrl-C to stop", flush=True)
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        running.stop()
    print("Google sandbox stopped", flush=True)
    return 0
