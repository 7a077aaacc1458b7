"""The built book as a reader gets it: where it is, which pages it has, and a browser.

Used by conftest.py.  Everything here is configured by environment variables:

SCRATCHNN_SITE_DIR            the built HTML (default: _build/html of the repository)
SCRATCHNN_REQUIRE_SITE_TESTS  1: a missing browser, site or axe-core fails instead of skipping
SCRATCHNN_CHROMIUM            the browser (default: Debian's /usr/bin/chromium)
SCRATCHNN_CHROMEDRIVER        its driver (default: Debian's /usr/bin/chromedriver)
SCRATCHNN_AXE_JS              axe-core (default: tests/site/node_modules/axe-core/axe.min.js)
"""

import functools
import html
import json
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]

SITE_DIR = Path(os.environ.get("SCRATCHNN_SITE_DIR", REPO / "_build" / "html")).resolve()
REQUIRED = os.environ.get("SCRATCHNN_REQUIRE_SITE_TESTS", "") not in ("", "0")
CHROMIUM = Path(os.environ.get("SCRATCHNN_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("SCRATCHNN_CHROMEDRIVER", "/usr/bin/chromedriver"))
AXE_JS = Path(os.environ.get("SCRATCHNN_AXE_JS", HERE / "node_modules/axe-core/axe.min.js"))
# Executed notebooks and screenshots live beside the HTML, in the build folder.
EXECUTED_DIR = SITE_DIR.parent / "jupyter_execute"
SCREENSHOT_DIR = SITE_DIR.parent / "site-screenshots"

# Folders of the built site that hold assets, not pages.
ASSET_FOLDERS = ("_static", "_sources", "_images", "_downloads")


def missing_reason() -> str | None:
    """Why the site tests cannot run here, or None when they can."""
    if not (SITE_DIR / "search.html").is_file():
        return f"no built book in {SITE_DIR} (run `make book` first, or set SCRATCHNN_SITE_DIR)"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} not found (apt-get install chromium chromium-driver)"
    return None


def is_redirect(path: Path) -> bool:
    return 'http-equiv="refresh"' in path.read_text(errors="replace")[:2000].lower()


def discover_pages() -> list[str]:
    """Every HTML page of the built site (relative paths), except redirects."""
    if not SITE_DIR.is_dir():
        return []
    pages = []
    for path in sorted(SITE_DIR.rglob("*.html")):
        rel = path.relative_to(SITE_DIR)
        if rel.parts[0] in ASSET_FOLDERS or is_redirect(path):
            continue
        pages.append(rel.as_posix())
    return pages


@dataclass(frozen=True)
class TocEntry:
    docname: str  # e.g. "book/xor"
    part: str  # the caption of its part, "" for the root
    top: bool = True  # a chapter or appendix, not a section of one


def toc_entries(toc_file: Path = REPO / "_toc.yml") -> list[TocEntry]:
    """The pages _toc.yml lists, in order, with the caption of their part."""
    toc = yaml.safe_load(toc_file.read_text())
    entries = [TocEntry(toc["root"], "")]

    def walk(items, part, top=True):
        for item in items or []:
            if "file" in item:
                entries.append(TocEntry(item["file"], part, top))
            walk(item.get("sections"), part, top=False)

    for part in toc.get("parts", []):
        walk(part.get("chapters"), part.get("caption", ""))
    walk(toc.get("chapters"), "")
    return entries


def docname(page: str) -> str:
    return page.removesuffix(".html")


def is_notebook_page(page: str) -> bool:
    """A page executed by MyST-NB (its source is a notebook: it has a kernelspec)."""
    source = SITE_DIR / "_sources" / (docname(page) + ".md")
    if source.is_file():
        header = source.read_text().split("\n---", 1)[0]
        return "kernelspec:" in header
    return (SITE_DIR / "_sources" / (docname(page) + ".ipynb")).is_file()


def executed_notebook(page: str) -> dict | None:
    path = EXECUTED_DIR / (docname(page) + ".ipynb")
    return json.loads(path.read_text()) if path.is_file() else None


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@functools.cache
def serve(directory: Path) -> str:
    """Serve a folder on 127.0.0.1 at a free port, in a daemon thread; return its URL."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/"


def chrome(user_data_dir: str):
    """Headless Debian Chromium that can reach 127.0.0.1 and nothing else."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-quic",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--window-size=1280,900",
        f"--user-data-dir={user_data_dir}",
        # Offline: every host name but 127.0.0.1 fails to resolve, and every
        # request that is not to loopback goes to a proxy that is not there.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--proxy-server=http://127.0.0.1:9",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver


def new_user_data_dir() -> str:
    return tempfile.mkdtemp(prefix="scratchnn-chromium-")


def network_failures(performance_log: list[dict]) -> list[str]:
    """Failed requests and HTTP errors of pages, from a chromedriver performance log."""
    failures = []
    urls = {}
    for entry in performance_log:
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent":
            urls[params["requestId"]] = params["request"]["url"]
        elif message["method"] == "Network.responseReceived":
            response = params["response"]
            if response["status"] >= 400:
                failures.append(f"HTTP {response['status']}: {response['url']}")
        elif (
            message["method"] == "Network.loadingFailed"
            and not params.get("canceled")
            # a request no page sent (no requestWillBeSent: the browser's own
            # new-tab page at start-up) is not the book's
            and params["requestId"] in urls
        ):
            url = urls[params["requestId"]]
            failures.append(f"{params.get('errorText', 'failed')}: {url}")
    return failures


def strip_tags(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))
