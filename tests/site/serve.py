"""Serve a built site on 127.0.0.1 as a web host would: gzip for text.

A reader's browser gets the book from a host that compresses HTML, CSS and
JavaScript (GitHub Pages does), so the Lighthouse test measures page weight
and paint times the same way.  ``python tests/site/serve.py DIR PORT`` serves
a folder by hand.
"""

import functools
import gzip
import io
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

COMPRESSED = {".html", ".css", ".js", ".svg", ".json", ".txt", ".xml", ".ipynb", ".md"}


class GzipHandler(SimpleHTTPRequestHandler):
    """Static files, gzip-compressed for text when the browser accepts it."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and path.suffix in COMPRESSED):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return io.BytesIO(body)


@functools.cache
def serve_compressed(directory: Path, port: int = 0) -> str:
    """Serve ``directory`` on 127.0.0.1 in a daemon thread; return its URL."""
    handler = functools.partial(GzipHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/"


if __name__ == "__main__":
    print(serve_compressed(Path(sys.argv[1]), int(sys.argv[2])), flush=True)
    threading.Event().wait()
