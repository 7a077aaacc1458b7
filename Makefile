# The two commands of the README:
#   make book   builds the book into _build/html (executing every chapter)
#   make test   lints, then runs the test suite
# Both create .venv with everything in requirements.txt on first use.
# After a build, `make site-test` tests the built book in a browser (tests/site).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Sphinx options: nitpicky, warnings are errors, report them all before failing.
SPHINXOPTS := -n -W --keep-going
AXE := tests/site/node_modules/axe-core/axe.min.js
# One BLAS/OpenMP thread for NumPy and PyTorch: the book's matrices are small,
# and on a 2-core machine a second thread waiting for a busy core makes each
# product several times slower (benchmarks/README.md).  Override with e.g.
# `make book OPENBLAS_NUM_THREADS=2`.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
# Python may cache compiled modules: where the environment forbids it, every
# run compiles the package and pytest rewrites every test module again, a
# third of `make test` (benchmarks/README.md).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install book book-lab book-fresh book-busy test check lint clean site-deps site-test bench dist worksheets pdf pdf-deps claims

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# jupyter-book build, with the chapters read and executed on every core
# (book/_ext/build.py; BOOK_JOBS=1 for one process).
book: $(STAMP)
	$(BIN)/python book/_ext/build.py . --builder html $(SPHINXOPTS)

# The lab edition of the book (book/instructors.md, book/_ext/lab_edition.py):
# the same chapters, each worksheet function shown with its signature and
# docstring but not its body, and a link to its worksheet, whose student
# notebooks the site includes; into _build/html-lab, beside the book.
book-lab: $(STAMP)
	BOOK_EDITION=lab $(BIN)/python book/_ext/build.py . --builder html $(SPHINXOPTS)

# The same with every chapter executed from scratch (what CI runs).
book-fresh: $(STAMP)
	rm -rf _build
	$(MAKE) book

# The strict cold build while two busy processes hold both cores: a timing
# lesson must not fail because the machine is doing something else.  The two
# spinners are started here and killed when the build ends, passed or failed.
book-busy: $(STAMP)
	@$(BIN)/python -c 'while True: pass' & one=$$!; \
	$(BIN)/python -c 'while True: pass' & two=$$!; \
	trap 'kill $$one $$two 2>/dev/null' EXIT INT TERM; \
	start=$$(date +%s); $(MAKE) book-fresh; status=$$?; \
	echo "book-busy: strict cold build with both cores busy: $$( [ $$status -eq 0 ] && echo passed || echo FAILED ) in $$(( $$(date +%s) - start )) s"; \
	exit $$status

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The unit tests on every core (pytest-xdist); the browser tests skip here,
# and so do the slow end-to-end tests (marked `slow`), which `make check` runs.
test: lint
	$(BIN)/python -m pytest --numprocesses auto -m "not slow"

# The slow end-to-end tests: Sphinx projects built, chapters run as programs,
# the wheel installed in a fresh environment, the nbgrader round trip (CI).
check: $(STAMP)
	$(BIN)/python -m pytest --numprocesses auto -m slow

# Browser tests of the built book in _build/html (tests/site): every page in
# headless Chromium, offline; a missing browser, site or axe-core fails here
# instead of skipping.  Needs `make book` first and `make site-deps` once.
site-test: $(STAMP) $(AXE)
	SCRATCHNN_REQUIRE_SITE_TESTS=1 $(BIN)/python -m pytest tests/site \
		--numprocesses 2 --dist loadgroup

# axe-core, pinned by tests/site/package-lock.json.
$(AXE): tests/site/package.json tests/site/package-lock.json
	cd tests/site && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium, ChromeDriver and npm, each only when missing (as root,
# non-interactive): a machine whose npm came with another Node.js (NodeSource)
# cannot also take Debian's npm.
site-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -x /usr/bin/chromedriver ] || missing="$$missing chromium-driver"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -z "$$missing" ]; then \
		echo "chromium, chromedriver and npm are installed"; \
	else \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# The book's claims (scratchnn.claims): every comparative lesson's experiment
# at book size and at full size; each must hold at both, with one verdict.
claims: $(STAMP)
	$(BIN)/python -m scratchnn.claims

# Benchmarks: our code against a bare NumPy loop, PyTorch and the machine; the
# build; the tests.  One table, each figure with its target (a few minutes).
bench: $(STAMP)
	$(BIN)/python -m benchmarks

# The package as a reader installs it: a wheel and an sdist in dist/ (with
# resources/exams.csv, the README and the license), built from this checkout.
# The release workflow (.github/workflows/release.yml) publishes exactly these.
dist: $(STAMP)
	rm -rf dist build code/scratchnn.egg-info
	$(BIN)/python -m build --no-isolation --outdir dist .
	rm -rf build code/scratchnn.egg-info

# The lab edition (book/instructors.md): one worksheet per lab, cut from the
# package's source, in _build/worksheets/student/ (blanks) and instructor/
# (solutions), nbgrader's format, and each folder zipped.
worksheets: $(STAMP)
	rm -rf _build/worksheets
	$(BIN)/python -m scratchnn.lab.build _build/worksheets

# The book as one PDF, _build/latex/scratchnn-book.pdf, from Jupyter Book's
# LaTeX builder and XeLaTeX (Debian's TeX Live: `make pdf-deps` once).  It is
# then copied into the HTML site, which links it from every page.  The screen
# edition is one-sided, without blank pages; `make pdf SIDES=2` is the print
# edition, chapters opening on a right-hand page; PAPER=a4 or letter
# (book/_ext/print_edition.py).
PDF := _build/latex/scratchnn-book.pdf
PAPER ?= a4
SIDES ?= 1
pdf: $(STAMP)
	rm -f $(PDF) _build/html/scratchnn-book.pdf
	BOOK_PAPER=$(PAPER) BOOK_SIDES=$(SIDES) $(BIN)/jupyter-book build . --builder pdflatex
	@test -f $(PDF) || { echo "no $(PDF): see _build/latex/scratchnn-book.log"; exit 1; }
	mkdir -p _build/html && cp $(PDF) _build/html/

# XeLaTeX and the small part of Debian's TeX Live the PDF needs, with the
# fonts it typesets in (as root, non-interactive), when missing.
PDF_DEBS := texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended \
	texlive-xetex latexmk fonts-freefont-otf fonts-dejavu-core fonts-dejavu-extra fonts-lmodern
pdf-deps:
	@if dpkg -s $(PDF_DEBS) >/dev/null 2>&1; then \
		echo "TeX Live for the PDF is installed"; \
	else \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends $(PDF_DEBS); \
	fi

clean:
	rm -rf _build dist
