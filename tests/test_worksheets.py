"""The worksheets: generated from the live source, solved they pass, blank they wait, and
the seeds' mistakes typed into them are named.

Notebooks are executed cell by cell in one namespace, in this process (fast);
one test runs a worksheet in a real Jupyter kernel, where a failing check must
show the report and no traceback.
"""

import inspect
import io
import linecache
import zipfile
from contextlib import redirect_stdout
from unittest import mock

import nbformat
import pytest

from scratchnn import lab, toy_mlp, two_layer
from scratchnn.lab import build as lab_build
from scratchnn.lab.sheets import SHEETS
from scratchnn.lab.source import clear_solutions

FD = "central differences"
run_check = lab.run_check
SHEET = {sheet.name: sheet for sheet in SHEETS}
NAMES = sorted(SHEET)


def execute(nb, replace=()):
    """Run the code cells of ``nb`` in one namespace; each check cell's Report, in order.

    ``replace`` is a list of (old, new) edits to the cells' code, as a student
    would type them; each must apply.  A check cell's value must be None and a
    passing one must print its report, as in a notebook.
    """
    namespace, reports, unused = {}, [], dict(replace)
    made = []  # the reports lab.check makes, through run_check

    def recording(function, target):
        made.append(run_check(function, target))
        return made[-1]

    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        source = cell.source
        for old, new in replace:
            if old in source:
                source, _ = source.replace(old, new), unused.pop(old, None)
        name = f"<worksheet cell {i}>"  # the kernel keeps each cell's lines for tracebacks too
        linecache.cache[name] = (len(source), None, source.splitlines(True), name)
        if source.startswith("check("):
            printed = io.StringIO()
            try:
                with mock.patch.object(lab, "run_check", recording), redirect_stdout(printed):
                    assert eval(compile(source, name, "eval"), namespace) is None
            except lab.CheckError as failed:
                reports.append(failed.report)
                assert printed.getvalue() == ""
            else:
                reports.append(made[-1])
                assert made[-1].passed and printed.getvalue() == f"{made[-1]}\n"
        else:
            exec(compile(source, name, "exec"), namespace)
    assert not unused, f"edits that found nothing to replace: {unused}"
    return reports


def solved(name, replace=()):
    return execute(lab_build.notebook(SHEET[name], solutions=True), replace)


@pytest.mark.parametrize("name", NAMES)
def test_every_check_passes_with_the_solutions(name):
    reports = solved(name)
    assert len(reports) == len(SHEET[name].exercises)
    assert all(report.passed for report in reports), [str(r) for r in reports]
    assert all(len(report.lines) == 1 for report in reports)  # no guard has a word to say


@pytest.mark.parametrize("name", NAMES)
def test_with_the_blanks_left_every_check_is_not_done_yet(name):
    reports = execute(lab_build.notebook(SHEET[name], solutions=False))
    assert [r.lines for r in reports] == [
        (f"… {e.blank.target}: not done yet (a blank still raises NotImplementedError)",)
        for e in SHEET[name].exercises
    ]


def test_the_seeds_w1_rule_in_the_toy_network():
    right = 'grads = {"w1": x.T @ delta1, "w2": h.T @ delta2}'
    wrong = 'grads = {"w1": (delta2[:, None] * h).T @ x, "w2": h.T @ delta2}'
    report = solved("toy_network", [(right, wrong)])[1]
    assert report.lines[0] == "✗ toy_mlp.loss_and_grads: 1 of 3 checks fail"
    assert report.lines[2] == (
        '  ✗ ∂L/∂w1 (activation="linear"): shape (2, 2) as needed, '
        "but relative error 4.1e-01 against central differences"
    )
    assert report.lines[3] == (
        "    likely: the w1 rule is built from w2's partials (δ2 h, the activations) "
        "instead of from w2: the chain rule gives xᵀ (δ2 w2ᵀ ⊙ φ'(z1))"
    )


MASK = (
    "    likely: the ReLU mask is applied to the wrong quantity: it must keep the entries "
    "where the pre-activation z1 > 0, not where the gradient ∂L/∂h > 0"
)


@pytest.mark.parametrize(
    "wrong",
    [
        "delta1 = d_h * F.relu_derivative(d_h)",
        "delta1 = d_h.copy()\n    delta1[d_h < 0] = 0",  # the seed's indexing trick
    ],
)
def test_the_relu_mask_applied_to_the_gradient(wrong):
    report = solved("two_layer", [("delta1 = d_h * F.relu_derivative(z1)", wrong)])[0]
    assert report.lines[0] == "✗ two_layer.loss_and_grads: 1 of 3 checks fail"
    assert report.lines[2] == (
        "  ✗ ∂L/∂w1: shape (4, 3) as needed, but relative error 4.8e-01 against central differences"
    )
    assert report.lines[3] == MASK
    assert report.lines[4].startswith("  ✓ ∂L/∂w2: right, shape (3, 2), relative error ")


def test_the_product_in_the_wrong_order():
    report = solved("two_layer", [("grad_w2 = h.T @ delta2", "grad_w2 = delta2 @ h")])[0]
    assert report.lines == (
        "✗ two_layer.loss_and_grads: your code raised ValueError: matmul: Input operand 1 has a "
        "mismatch in its core dimension 0, with gufunc signature (n?,k),(k,m?)->(n?,m?) "
        "(size 5 is different from 2)",
        "  at: grad_w2 = delta2 @ h  # (H, N) @ (N, D_out) -> (H, D_out)",
        "  with every size 3 it runs, and then:",
        "  ✗ ∂L/∂w2: shape (3, 3) as needed, but relative error 7.1e-01 against " + FD,
        "    likely: the product is in the wrong order (δ2 h for hᵀ δ2)",
    )


def test_the_product_in_the_wrong_order_in_a_linear_layer():
    report = solved("exam_layers", [('"w": x.T @ grad_out', '"w": grad_out @ x')])[0]
    assert report.lines[1] == '  at: self.grads = {"w": grad_out @ x, "b": grad_out.sum(axis=0)}'
    assert report.lines[-1] == "    likely: the product is in the wrong order (g x for xᵀ g)"


HALF = "    likely: off by a factor of 2: the square's derivative (yours is half of it)"


def test_a_missing_factor_2():
    edit = ("delta2 = F.sum_squared_error_grad(y_hat, y)", "delta2 = y_hat - y")
    report = solved("two_layer", [edit])[0]
    assert report.lines == (
        "✗ two_layer.loss_and_grads: 2 of 3 checks fail",
        "  ✓ loss: right, shape (), relative error 0.0e+00 against the right value",
        "  ✗ ∂L/∂w1: shape (4, 3) as needed, but relative error 3.3e-01 against " + FD,
        HALF,
        "  ✗ ∂L/∂w2: shape (3, 2) as needed, but relative error 3.3e-01 against " + FD,
        HALF,
    )


def test_a_missing_factor_2_in_xor_and_in_the_square_op():
    edit = ("d_y_hat = F.sum_squared_error_grad(y_hat, y)", "d_y_hat = y_hat - y")
    report = solved("xor", [edit])[0]
    assert report.lines[0] == "✗ xor.loss_and_grads: 4 of 5 checks fail"
    assert set(report.causes.values()) == {HALF.removeprefix("    likely: ")}
    power = solved("autograd_op", [("g * p * x ** (p - 1)", "g * x ** (p - 1)")])[0]
    assert power.lines[-1] == (
        "    likely: off by a factor of 2: the square's derivative: d(t^p)/dt = p t^(p−1)"
    )


def test_the_transpose_of_a_gradient():
    report = solved("two_layer", [("grad_w2 = h.T @ delta2", "grad_w2 = delta2.T @ h")])[0]
    assert report.lines[-2:] == (
        "  ✗ ∂L/∂w2: shape (2, 3), needed (3, 2)",
        "    likely: this is the transpose of ∂L/∂w2",
    )


def test_the_worksheet_is_cut_from_the_live_source(monkeypatch):
    cell = lab_build.notebook(SHEET["two_layer"], solutions=False).cells[4].source
    source = inspect.getsource(two_layer.loss_and_grads)
    decorator, signature = source.split('"""')[0].split("\n", 1)
    assert decorator == "@MODEL.loss_and_grads"  # the model contract's checks stay in the package
    assert cell.startswith(signature)  # the signature, as the package has it
    assert two_layer.loss_and_grads.__doc__ in cell
    assert "    delta1 = d_h * F.relu_derivative(z1)" not in cell
    assert "    # delta1 = ...  # dL/dz1, the ReLU mask, (N, H)" in cell

    def forward(params, x, *, activation="linear", biases=False):
        """A changed docstring: (N, D) -> (N,)."""
        h = x @ params["w1"]  # changed
        return h @ params["w2"]

    monkeypatch.setattr(toy_mlp, "forward", forward)
    changed = lab_build.notebook(SHEET["toy_network"], solutions=True).cells[4].source
    assert '"""A changed docstring: (N, D) -> (N,)."""' in changed
    assert '    h = x @ params["w1"]  # changed\n    ### END SOLUTION' in changed


@pytest.mark.parametrize("name", NAMES)
def test_the_student_version_is_what_nbgrader_makes_of_the_instructors(name):
    instructor = lab_build.notebook(SHEET[name], solutions=True)
    student = lab_build.notebook(SHEET[name], solutions=False)
    for mine, theirs in zip(instructor.cells, student.cells, strict=True):
        grader = mine.metadata.get("nbgrader", {})
        if grader.get("solution"):
            assert theirs.source == clear_solutions(mine.source).rstrip("\n")
            assert "### BEGIN SOLUTION" in mine.source
        else:
            assert theirs.source == mine.source


def test_cells_carry_nbgrader_metadata():
    nb = lab_build.notebook(SHEET["exam_layers"], solutions=False)
    graded = [c.metadata["nbgrader"] for c in nb.cells if "nbgrader" in c.metadata]
    assert [(g["solution"], g["grade"], g["locked"], g.get("points")) for g in graded] == [
        (True, False, False, None),
        (False, True, True, 2),
        (True, False, False, None),
        (False, True, True, 1),
        (True, False, False, None),
        (False, True, True, 1),
    ]
    every = [lab_build.notebook(sheet, solutions=True) for sheet in SHEETS]
    ids = [
        c.metadata["nbgrader"]["grade_id"]
        for n in every
        for c in n.cells
        if "nbgrader" in c.metadata
    ]
    assert len(ids) == len(set(ids))
    assert all(g["schema_version"] == 3 for g in graded)


def test_the_first_cell_installs_the_package_outside_the_repository():
    first = lab_build.notebook(SHEET["xor"], solutions=False).cells[0]
    assert 'if importlib.util.find_spec("scratchnn") is None:' in first.source
    assert 'package = "scratchnn==0.2.0"' in first.source


def test_build_writes_both_versions_and_their_zips(tmp_path):
    written = lab_build.build(tmp_path / "out")
    names = sorted(str(p.relative_to(tmp_path / "out")) for p in written)
    sheets = [f"{v}/{n}.ipynb" for v in ("instructor", "student") for n in NAMES]
    assert names == sorted([*sheets, "instructor.zip", "student.zip"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    with zipfile.ZipFile(tmp_path / "out" / "student.zip") as zf:
        assert sorted(zf.namelist()) == [f"student/{n}.ipynb" for n in NAMES]
    for path in written:
        if path.suffix == ".ipynb":
            nbformat.validate(nbformat.read(path, as_version=4))
    first = {p: p.read_bytes() for p in written}
    lab_build.build(tmp_path / "out")
    assert {p: p.read_bytes() for p in written} == first  # the same sheets, the same bytes


def test_the_program_and_its_errors(tmp_path, capsys):
    assert lab_build.main([str(tmp_path / "w")]) == 0
    assert capsys.readouterr().out == f"wrote {2 * len(NAMES) + 2} files to {tmp_path / 'w'}\n"
    (tmp_path / "file").write_text("x")
    assert lab_build.main([str(tmp_path / "file")]) == 2
    assert capsys.readouterr().err == (
        f"python -m scratchnn.lab.build: error: {tmp_path / 'file'} exists and is not a folder\n"
    )
    with pytest.raises(SystemExit) as exited:
        lab_build.main([])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("python -m scratchnn.lab.build: error: the following arguments")


@pytest.mark.slow
def test_in_a_kernel_a_failing_check_shows_the_report_and_no_traceback():
    from nbclient import NotebookClient

    nb = lab_build.notebook(SHEET["two_layer"], solutions=False)
    solution = lab_build.notebook(SHEET["two_layer"], solutions=True)
    nb.cells += [nbformat.v4.new_code_cell(c.source) for c in solution.cells[-2:]]
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
    blank_check, solved_check = nb.cells[5].outputs, nb.cells[-1].outputs
    expected = "… two_layer.loss_and_grads: not done yet (a blank still raises NotImplementedError)"
    assert [(o.output_type, o.traceback) for o in blank_check] == [("error", [expected])]
    assert [(o.output_type, o.name, o.text) for o in solved_check] == [
        ("stream", "stdout", "✓ two_layer.loss_and_grads: all checks pass (loss, ∂L/∂w1, ∂L/∂w2)\n")
    ]


def test_grads_left_none_in_the_toy_network():
    right = 'grads = {"w1": x.T @ delta1, "w2": h.T @ delta2}'
    report = solved("toy_network", [(right, "grads = None")])[1]
    assert report.lines == (
        "✗ toy_mlp.loss_and_grads: it returns (loss, None): the second element is None, "
        "needed a dict of gradients",
    )


def test_the_log_of_the_softmax_typed_in():
    edit = (
        "return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))",
        "return np.log(softmax(z))",
    )
    report = solved("softmax", [edit])[0]
    assert report.lines[-1].startswith("    likely: log of an underflowed 0: softmax(z) rounds")


def test_a_vjp_of_tensors_and_a_forward_of_arrays_typed_in():
    vjp = ("lambda g: g * p * x ** (p - 1)", "lambda g: g * p * self ** (p - 1)")
    assert solved("autograd_op", [vjp])[0].lines == (
        "✗ autograd.Tensor.__pow__: the vjp returns a Tensor, needed an ndarray: compute it "
        "from arrays (g and x = self.data), not from the tensor self",
    )
    forward = (
        'return node(x**p, f"** {p:g}", (self, lambda g: g * p * x ** (p - 1)))',
        "return x**p",
    )
    assert solved("autograd_op", [forward])[0].lines == (
        "✗ autograd.Tensor.__pow__: t ** p returns ndarray, needed a Tensor: make the result "
        "with node(data, op, (self, vjp))",
    )


ADVICE = "the caller sees the change: leave the arguments as they are and compute new arrays"


def test_the_upstream_gradient_modified_in_place_and_returned():
    right = "return grad_out * self.df(self._recall(grad_out))"
    wrong = "grad_out *= self.df(self._recall(grad_out))\n        return grad_out"
    report = solved("exam_layers", [(right, wrong)])[1]
    assert report.status == "fail"
    assert report.lines[-2:] == (
        "    likely: this is grad_out, which your code modified in place, or a view of it: "
        "return a new array, not the argument",
        f"  ⚠ your code modified in place: grad_out; {ADVICE}",
    )


def test_the_cached_prediction_modified_in_place():
    right = "return F.mean_squared_error_grad(*self._cache)"
    wrong = "y_hat, y = self._cache\n        y_hat -= y\n        return 2 * y_hat / y.size"
    report = solved("exam_layers", [(right, wrong)])[2]
    assert report.lines == (
        "✓ layers.MSELoss.backward: all checks pass (∂L/∂ŷ)",
        f"  ⚠ your code modified in place: self._cache[0]; {ADVICE}",
    )


def test_a_print_typed_in_is_summarised_not_shown():
    edit = ("    return loss, {", '    print("loss", round(loss, 2))\n    return loss, {')
    report = solved("two_layer", [edit])[0]
    assert report.passed
    assert report.lines[1:] == (  # one line per case the check runs
        "  your code printed 2 lines:",
        "    | loss 66.94",
        "    | loss 113.14",
    )
