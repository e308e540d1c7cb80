"""`python -m lifegate.exchange.federation demo`: both nodes of `make demo-federation` until
Ctrl-C. (`prepare` is what the harness runs inside each node to set it up.)"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

from lifegate.exchange.federation.harness import NODE_INFO_MARK, ROOT, Federation

# The demo runs the nodes' housekeeping commands this often, as `make demo` does.
HOUSEKEEPING_COMMANDS = (
    "inbox_housekeeping",
    "journeys_housekeeping",
    "exchange_housekeeping",
    "credentials_housekeeping",
    "seal_processing_log",
    "seal_credential_log",
)
HOUSEKEEPING_SECONDS = 300


def _prepare(full_demo: bool) -> None:
    """Inside the node (its environment): everything before serving, in one process, which
    saves a Django start per step. Prints the node info last, marked."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from lifegate.catalogue.loader import catalogue_is_loaded
    from lifegate.exchange.nodes import node_info

    log = sys.stderr
    call_command("migrate", interactive=False, verbosity=0)
    default_catalogue = "LIFEGATE_CATALOGUE_FILE" not in os.environ
    if full_demo and default_catalogue:
        call_command("load_demo", stdout=log)
    elif not Path(settings.CATALOGUE_DATA_FILE).exists():
        log.write(f"no catalogue file {settings.CATALOGUE_DATA_FILE}: catalogue not loaded\n")
    elif not catalogue_is_loaded():
        call_command("load_catalogue", stdout=log)
    call_command("load_demo_population", stdout=log)
    sys.stdout.write(NODE_INFO_MARK + json.dumps(node_info()) + "\n")


def _demo(root: Path, nl_port: int, ee_port: int) -> None:
    """`make demo-federation`: both nodes on fixed ports until Ctrl-C."""
    population = os.environ.get("LIFEGATE_DEMO_POPULATION")
    federation = Federation(
        root,
        ports={"nl": nl_port, "ee": ee_port},
        population=int(population) if population else None,
        full_demo=True,
    )
    # Also SIGINT: a shell may start the demo with it ignored, which Python would keep.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    print(f"setting up both nodes in {root} (logs: {root}/<node>/*.log)", flush=True)  # noqa: T201
    try:
        federation.setup()
        federation.start()
        _announce(federation)
        housekeeping = time.monotonic() + HOUSEKEEPING_SECONDS
        while all(node.running for node in federation.nodes.values()):
            time.sleep(1)
            if time.monotonic() >= housekeeping:
                housekeeping = time.monotonic() + HOUSEKEEPING_SECONDS
                for node in federation.nodes.values():
                    for command in HOUSEKEEPING_COMMANDS:
                        node.manage(command, check=False)
        print("a node stopped; see its server.log", flush=True)  # noqa: T201
    except KeyboardInterrupt:
        pass
    finally:
        federation.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _announce(federation: Federation) -> None:
    lines = [
        "",
        f"  Dutch node    (nl, NL, Dutch):    {federation.nl.base_url}/",
        f"  Estonian node (ee, EE, English):  {federation.ee.base_url}/",
        "  each trusts the other; node info at /api/exchange/node",
        f"  admin of the Dutch node: user 'admin', password in {federation.nl.var_dir}/"
        "admin-password.txt",
        "  Ctrl-C stops both nodes and their workers",
        "",
    ]
    print("\n".join(lines), flush=True)  # noqa: T201


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m lifegate.exchange.federation")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run both nodes until Ctrl-C")
    demo.add_argument("--root", type=Path, default=ROOT / "var" / "federation")
    demo.add_argument("--nl-port", type=int, default=8000)
    demo.add_argument("--ee-port", type=int, default=8001)
    prepare = commands.add_parser("prepare", help="(inside a node) migrate and load its data")
    prepare.add_argument("--full-demo", action="store_true")
    options = parser.parse_args(argv)
    if options.command == "prepare":
        _prepare(options.full_demo)
    else:
        _demo(options.root, options.nl_port, options.ee_port)


if __name__ == "__main__":
    main()
