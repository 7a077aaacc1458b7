"""Fixtures for the browser tests of the built book.

Every page of the built site is served on 127.0.0.1 and opened once per colour
mode in headless Chromium; what the page shows is measured then (see
measure_page.js) and cached, and each test asserts one thing about it.

These tests skip, with the reason, when the built book, Chromium or axe-core is
missing, and when they were not asked for: a bare `pytest` (as `make test`
runs, before any build) skips them; `pytest tests/site` or `make site-test`
runs them.  SCRATCHNN_REQUIRE_SITE_TESTS=1 (set by `make site-test`) turns
every such skip into a failure.
"""

import io
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from book_site import (
    AXE_JS,
    REQUIRED,
    SCREENSHOT_DIR,
    SITE_DIR,
    discover_pages,
    missing_reason,
    network_failures,
    new_user_data_dir,
    serve,
)

HERE = Path(__file__).resolve().parent
MEASURE_JS = (HERE / "measure_page.js").read_text()
RUN_AXE_JS = (HERE / "run_axe.js").read_text()
# The WCAG 2.0 and 2.1 rules at levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NOT_SELECTED = "browser tests of the built book: run `make site-test` (or `pytest tests/site`)"


def pytest_generate_tests(metafunc):
    """Parametrize `page` over every page of the built site (one placeholder if none)."""
    marked = [m.args[0] for m in metafunc.definition.iter_markers("parametrize")]
    if "page" in metafunc.fixturenames and "page" not in marked:
        pages = discover_pages() or ["<no built site>"]
        metafunc.parametrize("page", pages)


def unavailable(reason: str):
    if REQUIRED:
        pytest.fail(f"site tests required (SCRATCHNN_REQUIRE_SITE_TESTS) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def site(request) -> Path:
    """The built HTML, checked usable; skips (or fails) with the reason otherwise."""
    explicit = request.config.args_source != pytest.Config.ArgsSource.TESTPATHS
    if not (explicit or REQUIRED):
        pytest.skip(NOT_SELECTED)
    reason = missing_reason()
    if reason:
        unavailable(reason)
    return SITE_DIR


@pytest.fixture(scope="session")
def base_url(site) -> str:
    return serve(site)


@pytest.fixture(scope="session")
def axe_source(site) -> str:
    if not AXE_JS.is_file():
        unavailable(f"{AXE_JS} not found (run `npm ci` in tests/site; `make site-test` does)")
    return AXE_JS.read_text()


@pytest.fixture(scope="session")
def driver(site):
    profile = new_user_data_dir()
    from book_site import chrome

    browser = chrome(profile)
    yield browser
    browser.quit()
    shutil.rmtree(profile, ignore_errors=True)


#: The height of a screenshot's top part when the whole page is too tall for one.
MAX_SHOT_HEIGHT = 12_000


class Reader:
    """Opens pages the way a reader does and remembers what each showed."""

    def __init__(self, driver, base_url: str, axe_source: str):
        self.driver = driver
        self.base_url = base_url
        self.axe_source = axe_source
        self.visits: dict[tuple[str, str], dict] = {}
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def drain_logs(self) -> tuple[list, list]:
        return self.driver.get_log("browser"), self.driver.get_log("performance")

    def set_mode(self, mode: str) -> None:
        """Click the theme's colour-mode button until the page is in `mode`."""
        from selenium.webdriver.common.by import By

        button = self.driver.find_element(By.CSS_SELECTOR, ".theme-switch-button")
        for _ in range(4):
            if self.driver.execute_script("return document.documentElement.dataset.mode") == mode:
                return
            button.click()
        raise AssertionError(f"the colour-mode button never reached {mode!r}")

    def open(self, page: str, mode: str = "light") -> dict:
        key = (page, mode)
        if key in self.visits:
            return self.visits[key]
        url = self.base_url + page
        self.drain_logs()
        started = time.monotonic()
        self.driver.get(url)
        if self.driver.execute_script("return document.documentElement.dataset.mode") != mode:
            self.set_mode(mode)  # remembered by the theme for every later page
            self.drain_logs()
            self.driver.get(url)
        report = self.driver.execute_async_script(MEASURE_JS)
        report["load_seconds"] = time.monotonic() - started
        console, performance = self.drain_logs()
        report["console_errors"] = [e["message"] for e in console if e["level"] == "SEVERE"]
        report["failed_requests"] = network_failures(performance)
        report["axe"] = self.axe()
        report["figures"] = self.figure_pixels()
        report["screenshot"] = self.screenshot(page, mode)
        self.visits[key] = report
        return report

    def axe(self) -> dict:
        """axe-core's WCAG 2 A/AA results for the open page."""
        self.driver.execute_script(self.axe_source)
        return self.driver.execute_async_script(RUN_AXE_JS, AXE_TAGS)

    def figure_pixels(self) -> list[dict]:
        """Each image in the article (figures, plots) as rendered: its pixels and alt text."""
        from PIL import Image
        from selenium.webdriver.common.by import By

        figures = []
        for img in self.driver.find_elements(By.CSS_SELECTOR, "article.bd-article img"):
            self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", img)
            png = Image.open(io.BytesIO(img.screenshot_as_png)).convert("RGB")
            figures.append({"alt": img.get_attribute("alt"), "pixels": np.asarray(png)})
        return figures

    def screenshot(self, page: str, mode: str) -> Path:
        """A full-page PNG for a person to look at, under _build/site-screenshots/."""
        import base64

        from selenium.common.exceptions import WebDriverException

        self.driver.execute_script("window.scrollTo(0, 0)")
        try:
            shot = self.driver.execute_cdp_cmd(
                "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
            )
        except WebDriverException as error:  # "Page is too large": the API reference
            if "too large" not in str(error):
                raise
            clip = {"x": 0, "y": 0, "width": 1280, "height": MAX_SHOT_HEIGHT, "scale": 1}
            shot = self.driver.execute_cdp_cmd(
                "Page.captureScreenshot",
                {"format": "png", "captureBeyondViewport": True, "clip": clip},
            )
        path = SCREENSHOT_DIR / f"{page.removesuffix('.html').replace('/', '__')}-{mode}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def write_axe_report(self) -> Path:
        """Every axe-core violation seen, content and theme alike, for a person to read."""
        lines = []
        for (page, mode), seen in sorted(self.visits.items()):
            for violation in seen["axe"].get("violations", []):
                for node in violation["nodes"]:
                    where = "content" if node["in_article"] else "theme"
                    lines.append(
                        f"{page} ({mode}) [{where}] {violation['id']} ({violation['impact']}): "
                        f"{node['target']}: {node['why']}"
                    )
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # one report per worker
        path = SCREENSHOT_DIR / f"axe-violations{'-' + worker if worker else ''}.txt"
        path.write_text("\n".join(lines) + "\n" if lines else "no violations\n")
        return path


@pytest.fixture(scope="session")
def reader(driver, base_url, axe_source):
    reader = Reader(driver, base_url, axe_source)
    yield reader
    reader.write_axe_report()


@pytest.fixture(scope="session")
def fresh_jupyter(site, tmp_path_factory):
    """A reader's Jupyter (fresh_env.py): one fresh venv, shared by every notebook."""
    from fresh_env import FreshJupyter

    jupyter = FreshJupyter(tmp_path_factory.mktemp("fresh-jupyter"))
    yield jupyter
    jupyter.write_times(site.parent / "fresh-env-times.txt")


@pytest.fixture
def page_url(page, base_url) -> str:
    return base_url + page
