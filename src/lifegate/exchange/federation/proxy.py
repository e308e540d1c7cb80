"""A slow peer without touching the peer: a delaying TCP proxy in front of a node."""

from __future__ import annotations

import contextlib
import select
import socket
import threading


class DelayingProxy:
    """A TCP proxy on 127.0.0.1 in front of `target_port` that holds every answer back for
    `delay` seconds (changeable at any time): a slow peer, without touching the peer."""

    def __init__(self, target_port: int, delay: float = 0.0) -> None:
        self.target_port = target_port
        self.delay = delay
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.5)  # so that the accepting thread notices `stop`
        self.port = int(self._listener.getsockname()[1])
        self._stopped = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> DelayingProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._listener.close()
        with self._lock:
            for connection in self._sockets:
                with contextlib.suppress(OSError):
                    connection.close()

    def __enter__(self) -> DelayingProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
        except OSError:
            client.close()
            return
        with self._lock:
            self._sockets += [client, upstream]
        threading.Thread(target=self._pump, args=(client, upstream, 0.0), daemon=True).start()
        self._pump(upstream, client, self.delay)

    def _pump(self, source: socket.socket, target: socket.socket, delay: float) -> None:
        delayed = False
        try:
            while not self._stopped.is_set():
                ready, _, _ = select.select([source], [], [], 0.5)
                if not ready:
                    continue
                data = source.recv(65536)
                if not data:
                    break
                if delay and not delayed:
                    self._stopped.wait(delay)
                    delayed = True
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
