"""The search page finds "gradient" and lists the chapters that teach it."""

from book_site import toc_entries


def test_search_finds_gradient(driver, base_url, site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(base_url + "search.html?q=gradient")
    WebDriverWait(driver, 30).until(
        lambda d: "Search finished" in d.find_element(By.ID, "search-results").text
    )
    links = driver.find_elements(By.CSS_SELECTOR, "#search-results ul.search li a")
    found = {a.get_attribute("href").split("#")[0].removeprefix(base_url) for a in links}
    chapters = [e.docname + ".html" for e in toc_entries() if e.part]
    listed = [page for page in chapters if page in found]
    assert "book/appendix/gradient_checking.html" in listed, sorted(found)
    assert len(listed) >= 2, f"search for 'gradient' lists only {sorted(found)}"
