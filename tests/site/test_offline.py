"""The browser of these tests reaches 127.0.0.1 and nothing else, and a request
it could not make is seen as a failed request."""

from book_site import network_failures


def test_requests_outside_loopback_are_blocked_and_reported(driver, base_url, site):
    driver.get(base_url + "search.html")
    driver.get_log("performance")
    outcome = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('http://example.org/', {mode: 'no-cors'}).then(() => done('loaded'),"
        " e => done('blocked: ' + e));"
    )
    assert outcome.startswith("blocked"), outcome
    failures = network_failures(driver.get_log("performance"))
    assert any("example.org" in failure for failure in failures), failures
    driver.get_log("browser")  # the blocked fetch's console error belongs to this test
