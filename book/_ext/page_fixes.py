"""Fixes to the HTML Sphinx 7.4 writes for every page (tests/site finds them).

1. Each inline script once.  An inline script (``app.add_js_file(None,
   body=...)``) added after the builder starts is registered twice, as filename
   None and as ''.  sphinx-thebe's ``const THEBE_JS_URL = ...`` then runs twice
   and every page logs "Identifier 'THEBE_JS_URL' has already been declared".
2. Bibliography entries as list items.  Docutils marks each entry
   ``role="doc-biblioentry"``, a role deprecated in DPUB-ARIA 1.1 (axe-core:
   aria-deprecated-role); its container already has ``role="list"``.
"""


def _key(script):
    return (script.filename or "", script.priority, *sorted(script.attributes.items()))


def fix_page(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files") or []:
        if _key(script) not in seen:
            seen.add(_key(script))
            unique.append(script)
    context["script_files"] = unique
    if "body" in context:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app):
    app.connect("html-page-context", fix_page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
