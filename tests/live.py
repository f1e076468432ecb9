"""The app served over real HTTP in a thread, for tests that need a real client or browser."""
from __future__ import annotations

import threading

from werkzeug.serving import make_server

from web import create_app


class Server:
    """The app on real HTTP at config.bind; restart() replaces it with a freshly built one."""

    def __init__(self, config, **managers):
        self.config, self.managers = config, managers
        self._serve()

    def _serve(self) -> None:
        self.app = create_app(self.config, **self.managers)
        host, port = self.config.bind.rsplit(":", 1)
        self.server = make_server(host, int(port), self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def shutdown(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def restart(self) -> None:
        self.shutdown()
        self._serve()
