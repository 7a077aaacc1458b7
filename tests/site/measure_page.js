// Run in a loaded page of the book (Selenium execute_async_script): waits for
// every image, then reports what a reader sees.  Equations arrive typeset as
// MathML (book/_ext/static_math.py): no math script runs in the page.  The last argument
// is Selenium's callback.
const done = arguments[arguments.length - 1];

function withTimeout(promise, ms) {
  return Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms))]);
}

function imageSettled(img) {
  if (img.complete) return Promise.resolve();
  return new Promise((resolve) => {
    img.addEventListener("load", resolve, { once: true });
    img.addEventListener("error", resolve, { once: true });
  });
}

// Text a reader sees as prose: everything but code, scripts and typeset math.
const NOT_PROSE = "pre, code, script, style, textarea, math, .highlight";

function proseText(root) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) =>
      node.parentElement && node.parentElement.closest(NOT_PROSE)
        ? NodeFilter.FILTER_REJECT
        : NodeFilter.FILTER_ACCEPT,
  });
  const parts = [];
  while (walker.nextNode()) parts.push(walker.currentNode.nodeValue);
  return parts.join(" ");
}

function cellReport(cell) {
  const output = cell.querySelector(":scope > .cell_output");
  const text = output ? output.textContent.trim() : "";
  const media = output ? output.querySelectorAll("img, svg, table, iframe").length : 0;
  return { classes: cell.className, has_output: text.length > 0 || media > 0 };
}

async function measure() {
  const images = Array.from(document.images);
  // The book's images load lazily, as a reader scrolls; load them all now.
  for (const img of images) img.loading = "eager";
  await withTimeout(Promise.all(images.map(imageSettled)), 30000);

  const article = document.querySelector("article") || document.body;
  const mathElements = Array.from(document.querySelectorAll(".math"));
  const text = proseText(document.body);
  const rawTex = [];
  for (const pattern of ["$$", "\\frac", "\\(", "\\[", "\\begin{"]) {
    const at = text.indexOf(pattern);
    if (at >= 0) rawTex.push(text.slice(Math.max(0, at - 40), at + 40).replace(/\s+/g, " "));
  }
  const html = document.documentElement;
  return {
    url: location.href,
    title: document.title,
    mode: html.dataset.mode || "",
    theme: html.dataset.theme || "",
    body_background: getComputedStyle(document.body).backgroundColor,
    math_scripts: Array.from(document.scripts)
      .map((script) => script.src)
      .filter((src) => /mathjax|katex/i.test(src)),
    math_count: mathElements.length,
    untypeset_math: mathElements
      .filter((el) => !el.querySelector("math"))
      .map((el) => el.textContent.trim().slice(0, 80)),
    merrors: Array.from(document.querySelectorAll("math merror, .math pre")).map((el) =>
      el.textContent.slice(0, 120),
    ),
    equation_numbers: Array.from(document.querySelectorAll("div.math span.eqno")).map((el) =>
      el.textContent.replace("#", "").trim(),
    ),
    raw_tex: rawTex,
    images: images.map((img) => ({
      src: img.currentSrc || img.src,
      alt: img.getAttribute("alt"),
      natural_width: img.naturalWidth,
      in_article: article.contains(img),
    })),
    cells: Array.from(document.querySelectorAll("div.cell")).map(cellReport),
    downloads: Array.from(
      document.querySelectorAll(".dropdown-download-buttons a[href]"),
    ).map((a) => a.getAttribute("href")),
    launch_links: Array.from(
      document.querySelectorAll(".dropdown-launch-buttons a[href]"),
    ).map((a) => a.href),
  };
}

measure().then(done, (error) => done({ script_error: String(error) }));
