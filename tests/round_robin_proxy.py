"""A small round-robin reverse proxy for the multi-server test, standing in for nginx or
a cloud load balancer: each request goes to the next app server; a server that refuses
the connection (nothing was sent, so any method may go elsewhere) is skipped and left
out for a few seconds; a server that dies with the request in flight is a 502, as a real
proxy answers. It adds X-Forwarded-For and X-Forwarded-Proto (the app trusts PROXY_HOPS=1)
and says in X-Backend which server answered."""
import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}
DOWN_SECONDS = 3


class RoundRobinProxy:
    def __init__(self, backends: list[int]):
        self.backends = backends
        self.down_until = [0.0] * len(backends)
        self.lock = threading.Lock()
        self.next = 0
        self.stats = {"requests": 0, "bad_gateway": 0, "skipped": 0}
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                proxy.forward(self)

            do_POST = do_HEAD = do_PUT = do_DELETE = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self) -> "RoundRobinProxy":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _order(self) -> list[int]:
        with self.lock:
            self.stats["requests"] += 1
            first = self.next
            self.next = (self.next + 1) % len(self.backends)
        now = time.monotonic()
        order = [(first + i) % len(self.backends) for i in range(len(self.backends))]
        return [i for i in order if self.down_until[i] <= now] or order

    def forward(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["X-Forwarded-For"] = handler.client_address[0]
        headers["X-Forwarded-Proto"] = "https"
        for index in self._order():
            conn = http.client.HTTPConnection("127.0.0.1", self.backends[index], timeout=60)
            try:
                conn.connect()
            except OSError:
                self.down_until[index] = time.monotonic() + DOWN_SECONDS
                with self.lock:
                    self.stats["skipped"] += 1
                continue
            try:
                conn.request(handler.command, handler.path, body=body or None, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException):
                self.down_until[index] = time.monotonic() + DOWN_SECONDS
                break  # sent, then cut off: the proxy cannot know whether it was applied
            finally:
                conn.close()
            handler.send_response(response.status)
            for key, value in response.getheaders():
                if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                    handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(data)))
            handler.send_header("X-Backend", str(index))
            handler.end_headers()
            handler.wfile.write(data)
            return
        with self.lock:
            self.stats["bad_gateway"] += 1
        handler.send_response(502)
        handler.send_header("Content-Length", "11")
        handler.end_headers()
        handler.wfile.write(b"Bad Gateway")
