"""Dark mode: the theme's toggle turns every page dark, and figures stay readable.

A figure is readable when its darkest marks (axes, text, lines) keep a contrast
of at least 4.5:1 (WCAG AA for text) against its own background as Chromium
renders it in dark mode; a figure with a transparent background fails, since
its black marks then sit on the dark page.
"""

import re

import numpy as np
import pytest

MIN_FIGURE_CONTRAST = 4.5


def luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of sRGB colours (last axis: 0..255 R, G, B)."""
    c = np.asarray(rgb, dtype=float) / 255.0
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return c @ np.array([0.2126, 0.7152, 0.0722])


def contrast(l1: float, l2: float) -> float:
    high, low = max(l1, l2), min(l1, l2)
    return (high + 0.05) / (low + 0.05)


def css_rgb(value: str) -> np.ndarray:
    return np.array([float(v) for v in re.findall(r"[\d.]+", value)[:3]])


def figure_contrast(pixels: np.ndarray) -> tuple[float, float]:
    """(luminance of the figure's background, contrast of its marks against it).

    The background is the most common colour; the marks are the pixels farthest
    in luminance from it (the 99.9th percentile, so that a stray pixel does not count).
    """
    flat = pixels.reshape(-1, 3)
    colours, counts = np.unique(flat, axis=0, return_counts=True)
    background = float(luminance(colours[np.argmax(counts)]))
    lum = luminance(flat)
    far = np.abs(lum - background)
    marks = float(lum[np.argsort(far)[int(0.999 * (far.size - 1))]])
    return background, contrast(background, marks)


def test_contrast_helpers():
    assert contrast(1.0, 0.0) == pytest.approx(21.0)
    assert float(luminance(np.array([255, 255, 255]))) == pytest.approx(1.0)
    white = np.full((20, 20, 3), 255, dtype=np.uint8)
    white[5:7, :] = 0  # a black axis line on white
    assert figure_contrast(white) == (pytest.approx(1.0), pytest.approx(21.0))
    dark = np.full((20, 20, 3), 18, dtype=np.uint8)
    dark[5:7, :] = 0  # the same line on a dark page: unreadable
    assert figure_contrast(dark)[1] < 1.2


def test_the_page_turns_dark(reader, page):
    seen = reader.open(page, "dark")
    assert (seen["mode"], seen["theme"]) == ("dark", "dark"), page
    assert float(luminance(css_rgb(seen["body_background"]))) < 0.1, seen["body_background"]


def test_figures_readable_in_dark_mode(reader, page):
    seen = reader.open(page, "dark")
    page_background = float(luminance(css_rgb(seen["body_background"])))
    if not seen["figures"]:
        pytest.skip(f"{page} has no figures")
    unreadable = []
    for figure in seen["figures"]:
        background, marks = figure_contrast(figure["pixels"])
        if marks < MIN_FIGURE_CONTRAST:
            against_page = contrast(background, page_background)
            unreadable.append(
                f"{figure['alt'][:60]!r}: marks {marks:.1f}:1 against the figure's "
                f"background (figure against page {against_page:.1f}:1)"
            )
    assert unreadable == [], f"{page}: figures unreadable in dark mode"
