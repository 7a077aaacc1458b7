"""Sphinx extension: the book's other editions in every page's header menus.

1. The PDF edition.  Every page's download menu gets a link to the whole book
   as one PDF (``editions_pdf``, built by ``make pdf`` and copied to the root
   of the HTML site), beside the page's own ``.ipynb`` and ``.md``.
2. Colab.  Colab opens notebooks from GitHub, and only ``.ipynb`` files; the
   chapters are MyST markdown.  The Colab button therefore points at the
   executed notebook of the page on the branch ``colab_notebooks_branch``,
   which the publishing workflow fills with the site's ``_sources/**.ipynb``
   (the same notebooks the download menu offers).

Both run after sphinx-book-theme has built its header buttons (priority 501).
"""

from sphinx.application import Sphinx


def _groups(context: dict, label: str) -> list[dict]:
    return [b for b in context.get("header_buttons") or [] if b.get("label") == label]


def add_editions(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    pdf = app.config.editions_pdf
    if pdf:
        for group in _groups(context, "download-buttons"):
            group["buttons"].append(
                {
                    "type": "link",
                    "url": context["pathto"](pdf, 1),
                    "text": "book .pdf",
                    "tooltip": "Download the whole book as one PDF",
                    "icon": "fas fa-file-pdf",
                    "label": "download-book-pdf-button",
                }
            )
    branch = app.config.colab_notebooks_branch
    for group in _groups(context, "launch-buttons"):
        for button in group["buttons"]:
            if branch and button.get("text") == "Colab":
                base, _, _rest = button["url"].partition("/blob/")
                button["url"] = f"{base}/blob/{branch}/{pagename}.ipynb"


def setup(app: Sphinx) -> dict:
    app.add_config_value("editions_pdf", "", "html")
    app.add_config_value("colab_notebooks_branch", "", "html")
    app.connect("html-page-context", add_editions, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
