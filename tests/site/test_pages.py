"""Every page of the built book, opened in Chromium in light mode: what a reader sees."""

import ast
import re
import time

import pytest
from book_site import SITE_DIR, discover_pages, executed_notebook, is_redirect, toc_entries

# Cells tagged so that MyST-NB shows no output for them.
NO_OUTPUT_TAGS = {"remove-cell", "remove_cell", "remove-output", "remove_output"}


def test_every_toc_page_was_built(site):
    pages = set(discover_pages())
    missing = [e.docname for e in toc_entries() if e.docname + ".html" not in pages]
    assert not missing, f"listed in _toc.yml but not built: {missing}"


def test_index_redirects_to_the_first_page(site, driver, base_url):
    root = toc_entries()[0].docname
    from selenium.webdriver.support.ui import WebDriverWait

    assert is_redirect(SITE_DIR / "index.html")
    driver.get(base_url)
    WebDriverWait(driver, 10).until(lambda d: d.current_url.endswith(f"/{root}.html"))


def test_first_visit_logs_no_error(site, base_url):
    """A reader's first visit (empty browser storage, as in a new profile)."""
    from book_site import chrome, network_failures, new_user_data_dir

    fresh = chrome(new_user_data_dir())
    try:
        fresh.get_log("browser")  # the browser's own start-up (its new-tab page), not the book
        fresh.get_log("performance")
        fresh.get(base_url)
        time.sleep(2)  # late requests (favicon, fonts) and console messages
        errors = [e["message"] for e in fresh.get_log("browser") if e["level"] == "SEVERE"]
        failures = network_failures(fresh.get_log("performance"))
    finally:
        fresh.quit()
    assert (errors, failures) == ([], [])


def test_no_console_errors_or_failed_requests(reader, page):
    seen = reader.open(page)
    assert "script_error" not in seen, seen
    assert seen["console_errors"] == [], f"{page}: console errors: {seen['console_errors']}"
    assert seen["failed_requests"] == [], f"{page}: failed requests: {seen['failed_requests']}"


def test_every_equation_arrives_typeset(reader, page):
    """MathML written at build time: no math script, no raw TeX, every number shown."""
    seen = reader.open(page)
    assert seen["math_scripts"] == [], f"{page}: loads a math script: {seen['math_scripts']}"
    assert seen["untypeset_math"] == [], f"{page}: not typeset: {seen['untypeset_math']}"
    assert seen["merrors"] == [], f"{page}: equations that failed: {seen['merrors']}"
    assert seen["raw_tex"] == [], f"{page}: raw TeX a reader sees: {seen['raw_tex']}"
    html = (SITE_DIR / page).read_text(encoding="utf-8")
    numbered = re.findall(r'<span class="eqno">\(([^)<]+)\)', html)
    assert seen["equation_numbers"] == [f"({n})" for n in numbered], page
    assert len(set(numbered)) == len(numbered), f"{page}: an equation number twice: {numbered}"


def test_every_image_loaded_with_alt_text(reader, page):
    images = reader.open(page)["images"]
    broken = [i["src"] for i in images if i["natural_width"] == 0]
    assert broken == [], f"{page}: images that did not load: {broken}"
    no_alt = [i["src"] for i in images if not (i["alt"] or "").strip()]
    assert no_alt == [], f"{page}: images without alt text: {no_alt}"


def ends_in_expression(source: str) -> bool:
    """Whether IPython would display the cell's value: its last statement is an
    expression, not ending in ';' and not a call to glue (which returns None)."""
    code = "\n".join(
        "pass" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return False
    if not body or not isinstance(body[-1], ast.Expr) or code.rstrip().endswith(";"):
        return False
    value = body[-1].value
    called = value.func if isinstance(value, ast.Call) else None
    name = getattr(called, "id", getattr(called, "attr", None))
    return name != "glue"


def prints(source: str) -> bool:
    return re.search(r"^\s*print\(", source, flags=re.MULTILINE) is not None


@pytest.mark.parametrize(
    ("source", "shows"),
    [
        ("fig", True),
        ("%matplotlib inline\nimport numpy as np\nnp.ones(2)", True),
        ("for i in range(2):\n    print(i)", True),
        ("x = 1", False),
        ("fig;", False),
        ('glue("key", 1.0, display=False)', False),
        ("def f():\n    return 1", False),
    ],
)
def test_output_rule(source, shows):
    assert (prints(source) or ends_in_expression(source)) is shows


#: A glued value's record: MyST-NB keeps it in the notebook and shows it only where glued.
GLUE_RECORD = "application/papermill.record/"


def _shown(output: dict) -> bool:
    """Whether MyST-NB shows the output under its cell: anything but a bare glue record."""
    data = output.get("data", {})
    return not (data and all(kind.startswith(GLUE_RECORD) for kind in data))


def expected_outputs(notebook: dict) -> list[tuple[int, bool, str]]:
    """For each code cell MyST-NB shows (in page order): whether it should have
    output, and why.  A cell should when the executed notebook has output for it,
    or its source prints or ends in an expression."""
    expected = []
    for index, cell in enumerate(c for c in notebook["cells"] if c["cell_type"] == "code"):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & {"remove-cell", "remove_cell"}:
            continue
        source = "".join(cell["source"])
        if tags & NO_OUTPUT_TAGS:
            expected.append((index, False, "output removed by tag"))
        elif any(_shown(output) for output in cell.get("outputs", [])):
            expected.append((index, True, "the executed notebook has output"))
        elif prints(source) or ends_in_expression(source):
            expected.append((index, True, "it prints or ends in an expression"))
        else:
            expected.append((index, False, "no output expected"))
    return expected


def test_executed_cells_show_their_output(reader, page):
    notebook = executed_notebook(page)
    cells = reader.open(page)["cells"]
    if notebook is None:
        assert cells == [], f"{page}: code cells but no executed notebook"
        pytest.skip(f"{page} has no code cells")
    expected = expected_outputs(notebook)
    assert len(cells) == len(expected), f"{page}: {len(cells)} cells shown, {len(expected)} run"
    missing = [
        f"code cell {index + 1} ({why})"
        for (index, should, why), shown in zip(expected, cells, strict=True)
        if should and not shown["has_output"]
    ]
    assert missing == [], f"{page}: cells that should show output but do not: {missing}"


def test_screenshots_saved_in_both_modes(reader, page):
    for mode in ("light", "dark"):
        path = reader.open(page, mode)["screenshot"]
        assert path.stat().st_size > 10_000, f"{path}: an empty screenshot"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


FITS_JS = """
const width = document.documentElement.clientWidth;
return Array.from(document.querySelectorAll("article div.math")).map((el) => {
  const box = el.getBoundingClientRect();
  const scrolls = ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  return {
    text: el.textContent.replace(/\\s+/g, " ").trim().slice(0, 60),
    inside: box.left >= -1 && box.right <= width + 1,
    cut: el.scrollWidth > el.clientWidth + 1 && !scrolls,
  };
});
"""


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 768)], ids=["phone", "laptop"])
def test_display_equations_fit_the_screen_or_scroll(driver, base_url, page, width, height):
    """No display equation is cut off at the right edge: it fits, or scrolls sideways."""
    driver.set_window_size(width, height)
    try:
        driver.get(base_url + page)
        boxes = driver.execute_script(FITS_JS)
    finally:
        driver.set_window_size(1280, 900)
    outside = [b["text"] for b in boxes if not b["inside"]]
    cut = [b["text"] for b in boxes if b["cut"]]
    assert (outside, cut) == ([], []), f"{page} at {width} px: outside {outside}, cut {cut}"
