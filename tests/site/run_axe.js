// Run axe-core (already injected) on the open page (Selenium execute_async_script).
// arguments[0]: the rule tags to run.  Each violating node says whether it lies in
// the page's <article> (the book's own content) or outside it (the theme).
const done = arguments[arguments.length - 1];

function inArticle(target) {
  const element = document.querySelector(target);
  return Boolean(element && element.closest("article.bd-article"));
}

axe.run(document, { runOnly: { type: "tag", values: arguments[0] } }).then(
  (results) =>
    done({
      violations: results.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({
          target: n.target.join(" "),
          html: n.html.slice(0, 160),
          why: (n.failureSummary || "").replace(/\s+/g, " ").slice(0, 240),
          in_article: inArticle(n.target.join(" ")),
        })),
      })),
    }),
  (error) => done({ error: String(error) }),
);
