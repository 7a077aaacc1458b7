"""The PDF edition's layout (book/_ext/print_edition.py), on a small LaTeX body.

The body is what Sphinx's LaTeX builder writes for this book: the root page's
sections as chapters, then each document's chapter with its ``::doc`` label.
"""

from types import SimpleNamespace

import pytest
from docutils import nodes
from print_edition import (
    book_parts,
    class_options,
    drop_online_only,
    escape,
    rewrite_tex,
    title_page_text,
)
from sphinx import addnodes

TEX = r"""\begin{document}
\pagestyle{normal}
\phantomsection\label{\detokenize{book/intro::doc}}
Lead paragraph.
\chapter{How to read}
\label{\detokenize{book/intro:how-to-read}}
\section{Shapes}
\begin{equation}\label{equation:book/intro:e}x\end{equation}
\chapter{Running the code}
\sphinxstepscope
\chapter{Linear regression}
\label{\detokenize{book/linear_regression:lr}}\label{\detokenize{book/linear_regression::doc}}
\section{The data}
\sphinxstepscope
\chapter{Checking gradients}
\label{\detokenize{book/appendix/gradient_checking::doc}}
\section{Central differences}
\end{document}
"""


def rewritten() -> str:
    return rewrite_tex(TEX, "book/linear_regression", "book/appendix/gradient_checking")


def test_the_introduction_is_one_unnumbered_chapter_of_the_front_matter():
    tex = rewritten()
    front, main = tex.split("\\printmainmatter\n")
    assert front.index("\\printfrontmatter\n\\chapter{Introduction}") < front.index("Lead")
    # The introduction's own sections go one level down, under "Introduction".
    assert front.count("\\chapter{") == 1
    assert "\\section{How to read}" in front and "\\section{Running the code}" in front
    assert "\\subsection{Shapes}" in front
    assert main.startswith("\\chapter{Linear regression}")


def test_chapters_and_appendices_keep_their_headings():
    tex = rewritten()
    main = tex.split("\\printmainmatter\n")[1]
    chapters, appendices = main.split("\\printappendix\n")
    assert "\\section{The data}" in chapters and "\\chapter{Checking gradients}" not in chapters
    assert appendices.startswith("\\chapter{Checking gradients}")
    assert "\\section{Central differences}" in appendices
    assert tex.count("\\printappendix") == 1


def test_no_appendix_part():
    tex = rewrite_tex(TEX, "book/linear_regression", None)
    assert "\\printappendix" not in tex and "\\printmainmatter" in tex


def test_a_missing_or_misplaced_document_is_an_error():
    with pytest.raises(ValueError, match="book/missing"):
        rewrite_tex(TEX, "book/missing", None)
    with pytest.raises(ValueError, match="before chapter 1"):
        rewrite_tex(TEX, "book/appendix/gradient_checking", "book/linear_regression")


def test_book_parts_from_the_toc():
    parts = [(True, ["book/a", "book/b"]), (False, ["book/app", "book/bib"])]
    assert book_parts(parts) == ("book/a", "book/app")
    assert book_parts([(False, ["book/pre"]), *parts]) == ("book/a", "book/app")
    assert book_parts(parts[:1]) == ("book/a", None)
    with pytest.raises(ValueError, match="numbered"):
        book_parts(parts[1:])


def test_paper_and_sides():
    assert class_options("a4", "1") == ("a4paper", "openany,oneside")
    assert class_options("letter", "2") == ("letterpaper", "twoside,openright")
    for paper, sides in [("A4", "1"), ("a5", "1"), ("a4", "3"), ("a4", "")]:
        with pytest.raises(ValueError, match=r"^(paper|sides) "):
            class_options(paper, sides)


def test_title_page_text_is_escaped():
    text = title_page_text("2026", "MIT license & more_", "https://example.org/a_b")
    assert "\\textcopyright{} 2026." in text
    assert "\\& more\\_" in text
    # A URL goes to \url as it is.
    assert "\\url{https://example.org/a_b}" in text


def test_escape():
    assert escape(r"a\b & {x}_ 50% ~^") == (
        r"a\textbackslash{}b \& \{x\}\_ 50\% \textasciitilde{}\^{}"
    )


def _app(builder_format: str):
    config = SimpleNamespace(print_edition_online_only=["book/appendix/api_shared"])
    return SimpleNamespace(builder=SimpleNamespace(format=builder_format), config=config)


def _book() -> nodes.document:
    doc = nodes.section()
    for name in ["book/appendix/api", "book/appendix/api_shared", "book/bibliography"]:
        page = addnodes.start_of_file(docname=name)
        page += nodes.paragraph(text=name)
        doc += page
    return doc


def test_the_online_only_pages_leave_the_latex_document_and_the_rest_stays():
    book = _book()
    drop_online_only(_app("latex"), book, "index")
    assert [n["docname"] for n in book.findall(addnodes.start_of_file)] == [
        "book/appendix/api",
        "book/bibliography",
    ]


def test_the_site_keeps_every_page():
    book = _book()
    drop_online_only(_app("html"), book, "index")
    assert len(list(book.findall(addnodes.start_of_file))) == 3
