"""Two lifegate nodes on loopback, for the federation tests and `make demo-federation`.

A Dutch node ("nl": NL, Dutch first) and an Estonian node ("ee": EE, English, its own
catalogue file), each with its own var directory, key directory, database (SQLite in its var
directory, or a fresh PostgreSQL database when a server is given), port, web server (gunicorn)
and task worker. Setting up migrates both databases, loads the catalogue and the demo
population, and gives each node a trust list naming the other (both nodes in parallel).

    with Federation(tmp_path) as federation:      # set up and started; torn down after
        federation.nl.base_url                    # "http://127.0.0.1:<port>"
        federation.nl.manage("exchange_ping", "ee")
        federation.ee.stop(); federation.ee.start()
        with federation.nl.peer_url("ee", proxy.url): ...   # proxy: federation.proxy

Nothing here imports Django: the harness runs outside any node; each node's Django runs in its
own processes (`prepare` in __main__ sets a node up from the inside)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[4]
EE_CATALOGUE = ROOT / "src" / "lifegate" / "catalogue" / "data" / "catalogue-ee.yaml"
NODE_INFO_MARK = "NODE-INFO "
START_TIMEOUT_SECONDS = 120
STOP_TIMEOUT_SECONDS = 15
# Children of the harness die with it (Linux): the harness process may be killed outright.
_DIE_WITH_PARENT = (
    "import ctypes, os, signal, sys; "
    "ctypes.CDLL(None).prctl(1, signal.SIGTERM); "
    "os.getppid() == int(sys.argv[1]) or sys.exit(1); "
    "os.execvp(sys.argv[2], sys.argv[2:])"
)


class HarnessError(RuntimeError):
    """A node could not be set up, started, or a command on it failed (with its output)."""


@dataclass(frozen=True)
class NodeSpec:
    """What makes a node of a member state."""

    id: str
    country: str
    language: str
    catalogue_file: Path | None = None


NL = NodeSpec("nl", "NL", "nl")
EE = NodeSpec("ee", "EE", "en", EE_CATALOGUE)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Node:
    """One lifegate node: its configuration, its commands and its processes."""

    def __init__(
        self,
        spec: NodeSpec,
        var_dir: Path,
        port: int,
        database_url: str,
        *,
        population: int | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.spec = spec
        self.var_dir = var_dir
        self.port = port
        self.database_url = database_url
        self.info: dict[str, Any] = {}
        self.env = _node_environment(spec, var_dir, port, database_url, population, extra_env)
        self._server: subprocess.Popen[bytes] | None = None
        self._worker: subprocess.Popen[bytes] | None = None

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def peers_file(self) -> Path:
        return Path(self.env["LIFEGATE_EXCHANGE_PEERS_FILE"])

    def url(self, path: str = "/") -> str:
        """The absolute URL of `path` on this node."""
        return self.base_url + path

    def __repr__(self) -> str:
        return f"<Node {self.id} {self.base_url}>"

    # --- commands ----------------------------------------------------------------------------

    def manage(
        self, *args: str, env: dict[str, str] | None = None, check: bool = True, timeout: int = 600
    ) -> subprocess.CompletedProcess[str]:
        """Run `manage.py <args>` on this node (its settings, database and keys; `env` adds or
        overrides variables); raises HarnessError with the output when it fails and `check`."""
        result = subprocess.run(  # noqa: S603 (this Python, the caller's arguments)
            [sys.executable, "-m", "django", *args],
            env=self.env | (env or {}),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise HarnessError(
                f"{self.id}: manage.py {' '.join(args)} exited {result.returncode}\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result

    def shell(self, code: str, env: dict[str, str] | None = None) -> str:
        """Run Python `code` inside this node's Django (`manage.py shell -c`); its output."""
        return self.manage("shell", "-c", code, env=env).stdout

    def prepare(self, full_demo: bool = False) -> dict[str, Any]:
        """Migrate, load the catalogue (when this node's file exists) and the demo population
        (with `full_demo`: everything `make demo` loads, where the catalogue is the Dutch one);
        returns this node's info for its peers' trust lists."""
        self.var_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "lifegate.exchange.federation", "prepare"]
        if full_demo:
            command.append("--full-demo")
        with (self.var_dir / "prepare.log").open("a") as log:
            result = subprocess.run(  # noqa: S603 (this Python, fixed arguments)
                command, env=self.env, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True
            )
        lines = [line for line in result.stdout.splitlines() if line.startswith(NODE_INFO_MARK)]
        if result.returncode != 0 or not lines:
            raise HarnessError(f"{self.id}: setup failed\n{self.log('prepare')}")
        self.info = json.loads(lines[-1].removeprefix(NODE_INFO_MARK))
        return self.info

    # --- trust list --------------------------------------------------------------------------

    def trust_list(self) -> dict[str, Any]:
        """This node's trust list document."""
        return dict(json.loads(self.peers_file.read_text()))

    def write_trust_list(self, document: dict[str, Any]) -> None:
        """Replace this node's trust list (atomically: the running node reads it again)."""
        temporary = self.peers_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(document, indent=2))
        os.replace(temporary, self.peers_file)

    def trust(self, *others: Node) -> None:
        """Make the trust list name exactly `others` (with their current info)."""
        self.write_trust_list({"peers": [dict(other.info) for other in others]})

    @contextlib.contextmanager
    def peer_url(self, peer_id: str, base_url: str) -> Iterator[None]:
        """Meanwhile, this node reaches peer `peer_id` at `base_url` (a proxy, say)."""
        saved = self.trust_list()
        changed = json.loads(json.dumps(saved))
        for entry in changed["peers"]:
            if entry["id"] == peer_id:
                entry["base_url"] = base_url
        self.write_trust_list(changed)
        try:
            yield
        finally:
            self.write_trust_list(saved)

    # --- processes ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._server is not None and self._server.poll() is None

    def start(self, wait: bool = True) -> None:
        """Start the web server and the task worker (call from a thread that outlives them);
        with `wait`, return once the node answers /healthz."""
        if self.running:
            return
        server = [sys.executable, "-m", "gunicorn", "lifegate.wsgi:application"]
        server += ["--bind", f"127.0.0.1:{self.port}", "--worker-class", "gthread"]
        server += ["--workers", "1", "--threads", "8", "--timeout", "120"]
        server += ["--log-level", "warning", "--access-logfile", str(self.var_dir / "access.log")]
        worker = [sys.executable, "-m", "django", "db_worker", "--no-startup-delay"]
        worker += ["--interval", "0.2"]
        self._server = self._spawn(server, "server")
        self._worker = self._spawn(worker, "worker")
        if wait:
            self.wait_until_healthy()

    def wait_until_healthy(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        """Return once /healthz answers 200; HarnessError if the server dies or takes long."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._server is None or self._server.poll() is not None:
                raise HarnessError(f"{self.id}: the server exited\n{self.log('server')}")
            if _answers(self.url("/healthz")):
                return
            time.sleep(0.2)
        raise HarnessError(f"{self.id}: no answer on {self.base_url}\n{self.log('server')}")

    def stop(self) -> None:
        """Stop the web server and the worker (the database and keys stay)."""
        for process in (self._server, self._worker):
            if process is not None and process.poll() is None:
                process.terminate()
        for process in (self._server, self._worker):
            if process is not None:
                _reap(process)
        self._server = self._worker = None

    def log(self, name: str, lines: int = 60) -> str:
        """The last lines of this node's `server`, `worker`, `access` or `prepare` log."""
        path = self.var_dir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def _spawn(self, command: list[str], name: str) -> subprocess.Popen[bytes]:
        if sys.platform == "linux":
            command = [sys.executable, "-c", _DIE_WITH_PARENT, str(os.getpid()), *command]
        with (self.var_dir / f"{name}.log").open("ab") as log:
            # A session of its own: a Ctrl-C in the terminal reaches the harness only, which
            # stops every process in order (and each process group as a whole, see `_reap`).
            return subprocess.Popen(  # noqa: S603 (this Python, fixed arguments)
                command,
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )


class Federation:
    """The Dutch and the Estonian node, each trusting the other."""

    def __init__(
        self,
        root: Path,
        *,
        ports: dict[str, int] | None = None,
        database_server: str = "",
        database_prefix: str = "lifegate_federation",
        population: int | None = 40,
        full_demo: bool = False,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        """`root` holds a var directory per node. `database_server` (a PostgreSQL URL without
        database name) makes each node use a fresh database `<prefix>_<node id>` there, dropped
        by `teardown`; otherwise SQLite. `population` is the demo population per node (None:
        the settings' default)."""
        self.root = Path(root)
        self.database_server = database_server.rstrip("/")
        self.full_demo = full_demo
        ports = ports or {}
        self.nodes: dict[str, Node] = {}
        for spec in (NL, EE):
            var_dir = self.root / spec.id
            if self.database_server:
                database_url = f"{self.database_server}/{database_prefix}_{spec.id}"
            else:
                database_url = f"sqlite:///{var_dir / 'lifegate.sqlite3'}"
            port = ports.get(spec.id) or free_port()
            self.nodes[spec.id] = Node(
                spec, var_dir, port, database_url, population=population, extra_env=extra_env
            )

    @property
    def nl(self) -> Node:
        return self.nodes["nl"]

    @property
    def ee(self) -> Node:
        return self.nodes["ee"]

    def __getitem__(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def setup(self) -> None:
        """Prepare both nodes in parallel, then give each a trust list naming the other."""
        if self.database_server:
            for node in self.nodes.values():
                _recreate_database(self.database_server, _database_name(node.database_url))
        with ThreadPoolExecutor(max_workers=len(self.nodes)) as pool:
            for result in [pool.submit(n.prepare, self.full_demo) for n in self.nodes.values()]:
                result.result()
        self.nl.trust(self.ee)
        self.ee.trust(self.nl)

    def start(self) -> None:
        """Start both nodes and wait until both answer."""
        for node in self.nodes.values():
            node.start(wait=False)
        for node in self.nodes.values():
            node.wait_until_healthy()

    def stop(self) -> None:
        for node in self.nodes.values():
            node.stop()

    def teardown(self) -> None:
        """Stop both nodes and drop their PostgreSQL databases (SQLite files stay in root)."""
        self.stop()
        if self.database_server:
            for node in self.nodes.values():
                _drop_database(self.database_server, _database_name(node.database_url))

    def __enter__(self) -> Federation:
        try:
            self.setup()
            self.start()
        except BaseException:
            self.teardown()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.teardown()


# --- helpers -----------------------------------------------------------------------------------


def _node_environment(
    spec: NodeSpec,
    var_dir: Path,
    port: int,
    database_url: str,
    population: int | None,
    extra_env: dict[str, str] | None,
) -> dict[str, str]:
    # Nothing of the caller's lifegate configuration leaks into a node (a test run's own
    # database, var directory or settings module least of all).
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("LIFEGATE_")
        and name not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PORT")
    }
    env = inherited | {
        "DJANGO_SETTINGS_MODULE": "lifegate.settings",
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])
        ),
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "LIFEGATE_BASE_URL": f"http://127.0.0.1:{port}",
        "LIFEGATE_NODE_ID": spec.id,
        "LIFEGATE_NODE_COUNTRY": spec.country,
        "LIFEGATE_LANGUAGE": spec.language,
        "LIFEGATE_VAR_DIR": str(var_dir),
        "LIFEGATE_KEY_DIR": str(var_dir / "keys"),
        "LIFEGATE_EXCHANGE_PEERS_FILE": str(var_dir / "exchange-peers.json"),
        "LIFEGATE_DEV_IDP": "true",
    }
    if spec.catalogue_file is not None:
        env["LIFEGATE_CATALOGUE_FILE"] = str(spec.catalogue_file)
    if population is not None:
        env["LIFEGATE_DEMO_POPULATION"] = str(population)
    return env | (extra_env or {})


def _reap(process: subprocess.Popen[bytes]) -> None:
    """Wait for a terminated process, then kill whatever is left of its process group (a
    gunicorn worker that outlived its master, say)."""
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback URL)
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _database_name(database_url: str) -> str:
    return urlsplit(database_url).path.lstrip("/")


def _maintenance_url(server: str) -> str:
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))


def _recreate_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_maintenance_url(server), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_maintenance_url(server), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
