"""Sphinx extension: the PDF edition (``make pdf``) laid out as a book.

Sphinx's LaTeX builder turns the root page (book/intro.md) into the start of
the body: its sections would become chapters 1-4 and the site's chapter 1
chapter 5, while the exercises, whose numbers sphinx-exercise writes as text,
keep the site's numbers.  For the LaTeX builder only, this extension

1. chooses the paper and the sides from the environment, as ``make pdf
   PAPER=a4|letter SIDES=1|2`` sets them (``BOOK_PAPER``, ``BOOK_SIDES``): one
   side with chapters opening on any page (no blank pages) for the screen, two
   sides with chapters opening on the right for print;
2. sets a title page with the title, the date and the license;
3. once the ``.tex`` is written (``build-finished``, before jupyter-book runs
   XeLaTeX), rewrites it (:func:`rewrite_tex`): the introduction becomes the
   unnumbered chapter "Introduction" of the front matter (roman page numbers,
   its sections one level down), arabic page numbers and chapter 1 start at
   the first document of the toc's numbered part, and ``\\appendix`` (chapters
   A, B, ...) comes before the first document of the part after it;
4. writes the number of an exercise that another chapter references
   ("Exercise 8.3"): sphinx-exercise numbers exercises in the text, with no
   LaTeX counter, so Sphinx's ``\\ref`` to one would print "??".

Figures, tables and equations then carry the site's numbers: "Fig. 3.2" and
"(3.2)" in chapter 3, and in the introduction and the appendices, which the
site does not number, one count across them all ("(1)" to "(3)" in the
introduction, "(4)" in appendix A, "Fig. 1" in appendix A).
"""

import os
import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError, ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

PAPERS = {"a4": "a4paper", "letter": "letterpaper"}
SIDES = {"1": "openany,oneside", "2": "twoside,openright"}

# The macros that rewrite_tex places in the body.  The front matter is not
# numbered (secnumdepth -1) and numbers its equations without a chapter; the
# main matter restores both and keeps the front matter's counts, which the
# appendices continue (the site numbers unnumbered pages in one sequence).
MACROS = r"""
\makeatletter
\newcounter{printfrontfigure}\newcounter{printfronttable}\newcounter{printfrontequation}
\newcommand{\printfrontmatter}{%
  \edef\printsecnumdepth{\the\c@secnumdepth}%
  \setcounter{secnumdepth}{-1}%
  \let\printtheequation\theequation
  \def\theequation{\arabic{equation}}}
\newcommand{\printmainmatter}{%
  \if@openright\cleardoublepage\else\clearpage\fi
  \pagenumbering{arabic}%
  \setcounter{secnumdepth}{\printsecnumdepth}%
  \let\theequation\printtheequation
  \setcounter{printfrontfigure}{\value{figure}}%
  \setcounter{printfronttable}{\value{table}}%
  \setcounter{printfrontequation}{\value{equation}}}
\newcommand{\printappendix}{%
  \appendix
  \@removefromreset{figure}{chapter}\def\thefigure{\arabic{figure}}%
  \@removefromreset{table}{chapter}\def\thetable{\arabic{table}}%
  \@removefromreset{equation}{chapter}\def\theequation{\arabic{equation}}%
  \setcounter{figure}{\value{printfrontfigure}}%
  \setcounter{table}{\value{printfronttable}}%
  \setcounter{equation}{\value{printfrontequation}}}
\newcommand{\printtitlepage}[1]{%
  \hypersetup{pdftitle={\@title}}%
  \begin{titlepage}%
    \raggedleft
    \rule{\textwidth}{1pt}\par\bigskip
    {\py@HeaderFamily\Huge \@title\par}%
    \vfill
    {\py@HeaderFamily\Large \@date\par}%
    \vfill
    \raggedright\small #1\par
  \end{titlepage}}
% A bibliography chapter's own heading: no second heading, page or contents line.
\renewenvironment{sphinxthebibliography}[1]{%
  \def\chapter*##1{}\let\@mkboth\@gobbletwo
  \begin{thebibliography}{#1}}{\end{thebibliography}}
\makeatother
"""
# Sphinx names the contents after the root page's first toc caption ("Chapters").
TABLE_OF_CONTENTS = r"""\pagenumbering{roman}
\renewcommand{\contentsname}{Contents}
\begingroup\parskip 0pt \sphinxtableofcontentshook\tableofcontents\endgroup"""

_HEADING = re.compile(r"^\\(chapter|section|subsection|subsubsection)(?=\*?\{)", re.M)
_ONE_LEVEL_DOWN = {
    "chapter": "section",
    "section": "subsection",
    "subsection": "subsubsection",
    "subsubsection": "paragraph",
}


def class_options(paper: str, sides: str) -> tuple[str, str]:
    """LaTeX's paper size and class options for ``PAPER`` and ``SIDES``.

    ``class_options("a4", "1") == ("a4paper", "openany,oneside")``; any other
    value than those of ``PAPERS`` and ``SIDES`` raises ``ValueError``.
    """
    if paper not in PAPERS:
        raise ValueError(f"paper {paper!r}: one of {', '.join(PAPERS)}")
    if sides not in SIDES:
        raise ValueError(f"sides {sides!r}: one of {', '.join(SIDES)}")
    return PAPERS[paper], SIDES[sides]


def book_parts(parts: list[tuple[bool, list[str]]]) -> tuple[str, str | None]:
    """The first chapter and the first appendix of the toc's parts.

    ``parts`` holds, in order, each part's ``(numbered, docnames)``.  The
    first chapter opens the first numbered part; the first appendix opens the
    next part, or is ``None`` when there is none.
    """
    for index, (numbered, docnames) in enumerate(parts):
        if numbered and docnames:
            later = [names[0] for _, names in parts[index + 1 :] if names]
            return docnames[0], later[0] if later else None
    raise ValueError("the toc has no numbered part: no chapter 1")


def _chapter_start(tex: str, docname: str) -> int:
    """Where the ``\\chapter`` of document ``docname`` starts in ``tex``."""
    label = tex.find(f"\\label{{\\detokenize{{{docname}::doc}}}}")
    start = tex.rfind("\n\\chapter{", 0, label) + 1
    if label < 0 or start == 0:
        raise ValueError(f"no chapter for the document {docname!r} in the LaTeX")
    return start


def rewrite_tex(tex: str, first_chapter: str, first_appendix: str | None) -> str:
    """The book's LaTeX with its front matter, main matter and appendices.

    ``tex`` is the LaTeX builder's document; its body starts after
    ``\\pagestyle{normal}`` with the root page, whose sections are
    ``\\chapter``s up to the one of ``first_chapter``.  Those headings go one
    level down under a new unnumbered chapter "Introduction";
    ``\\printmainmatter`` goes before ``first_chapter`` and
    ``\\printappendix`` before ``first_appendix`` (see ``MACROS``).
    """
    body = tex.index("\\pagestyle{normal}\n") + len("\\pagestyle{normal}\n")
    main = _chapter_start(tex, first_chapter)
    appendix = _chapter_start(tex, first_appendix) if first_appendix else None
    if appendix is not None and appendix < main:
        raise ValueError(f"the appendix {first_appendix!r} comes before chapter 1")
    front = _HEADING.sub(lambda m: "\\" + _ONE_LEVEL_DOWN[m.group(1)], tex[body:main])
    front = "\\printfrontmatter\n\\chapter{Introduction}\n" + front + "\\printmainmatter\n"
    if appendix is None:
        return tex[:body] + front + tex[main:]
    return tex[:body] + front + tex[main:appendix] + "\\printappendix\n" + tex[appendix:]


_SPECIAL = {c: f"\\{c}" for c in "&%$#_{}"} | {
    "~": r"\textasciitilde{}",
    "^": r"\^{}",
    "\\": r"\textbackslash{}",
}


def escape(text: str) -> str:
    """``text`` with LaTeX's special characters typeset as themselves."""
    return "".join(_SPECIAL.get(c, c) for c in text)


def title_page_text(copyright: str, license_text: str, url: str) -> str:
    """The LaTeX of the title page's foot: copyright, license, the repository."""
    lines = [f"\\textcopyright{{}} {escape(copyright)}." if copyright else ""]
    lines.append(escape(license_text))
    if url:
        lines.append(f"\\url{{{url}}}")
    return "\\par\\smallskip\n".join(line for line in lines if line)


def configure_latex(app: Sphinx, config: Config) -> None:
    """Paper, sides, title page, contents and macros into ``latex_elements``."""
    try:
        paper, options = class_options(
            os.environ.get("BOOK_PAPER", "a4"), os.environ.get("BOOK_SIDES", "1")
        )
    except ValueError as error:
        raise ConfigError(f"print_edition: {error} (make pdf PAPER=... SIDES=...)") from error
    url = (config.html_theme_options or {}).get("repository_url", "")
    foot = title_page_text(config.copyright, config.print_edition_license, url)
    elements = dict(config.latex_elements)
    elements.update(
        papersize=paper,
        extraclassoptions=options,
        preamble=elements.get("preamble", "") + MACROS,
        maketitle=f"\\printtitlepage{{{foot}}}",
        tableofcontents=TABLE_OF_CONTENTS,
    )
    config.latex_elements = elements


def rewrite_written_tex(app: Sphinx, exception: Exception | None) -> None:
    """Rewrite every ``.tex`` the LaTeX builder wrote (see :func:`rewrite_tex`)."""
    if exception is not None or app.builder.name != "latex":
        return
    root = app.env.external_site_map.root
    parts = [(bool(tree.numbered), tree.files()) for tree in root.subtrees]
    first_chapter, first_appendix = book_parts(parts)
    for entry in app.config.latex_documents:
        path = Path(app.outdir) / entry[1]
        try:
            path.write_text(rewrite_tex(path.read_text(), first_chapter, first_appendix))
        except ValueError as error:
            raise ExtensionError(f"print_edition: {path.name}: {error}") from error
        logger.info(f"print_edition: {path.name}: front matter, chapter 1 {first_chapter}")


def number_exercise_references(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Each LaTeX reference to an exercise of another page, as the exercise's number."""
    if app.builder.format != "latex":
        return
    registry = getattr(app.env, "sphinx_exercise_registry", {})
    for node in list(doctree.findall(addnodes.number_reference)):
        label = node.get("refid") or node.get("refuri", "").rpartition("#")[2]
        target = registry.get(label)
        if target is None or target["type"] != "exercise":
            continue
        node_id = (target["node"].get("ids") or [label])[0]
        number = app.env.toc_fignumbers.get(target["docname"], {}).get("exercise", {}).get(node_id)
        if not number:
            raise ExtensionError(f"print_edition: no number for the exercise {label!r}")
        text = escape(node.get("title", "Exercise %s") % ".".join(map(str, number)))
        latex = f"\\hyperref[exercise:{label}]{{{text}}}"
        node.replace_self(nodes.raw("", latex, format="latex"))


def drop_online_only(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """The LaTeX document without the pages ``print_edition_online_only`` names.

    The LaTeX builder inlines every page into one doctree, each page in a
    ``start_of_file`` node: those of the online-only pages go (the API
    reference's parts, which a reader looks up on the site or with
    ``help``).  A link to them from a chapter stays as its text.
    """
    if app.builder.format != "latex":
        return
    online_only = set(app.config.print_edition_online_only)
    for node in list(doctree.findall(addnodes.start_of_file)):
        if node["docname"] in online_only:
            node.parent.remove(node)


def setup(app: Sphinx) -> dict[str, object]:
    app.add_config_value("print_edition_license", "", "env")
    app.add_config_value("print_edition_online_only", [], "env")
    app.connect("doctree-resolved", drop_online_only)
    app.connect("config-inited", configure_latex, priority=900)
    app.connect("doctree-resolved", number_exercise_references)
    app.connect("build-finished", rewrite_written_tex)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
