"""The worksheets' check: right answers pass, wrong ones are named, blanks are "not done yet"."""

import numpy as np
import pytest

from scratchnn import autograd, lab, layers, toy_mlp, two_layer, xor
from scratchnn import functional as F
from scratchnn.gradcheck import relative_error
from scratchnn.lab import mistakes as lab_mistakes
from scratchnn.lab.source import resolve

TWO_LAYER = "two_layer.loss_and_grads"


def package_version(target):
    """The package's own function (or class, for a method) behind a check's name."""
    _, func, owner = resolve(target)
    return owner or func


@pytest.mark.parametrize("target", sorted(lab.TARGETS))
def test_the_package_itself_passes_every_check(target, capsys):
    report = lab.run_check(package_version(target), target)
    items = ", ".join(lab.TARGETS[target].items)
    assert report.passed
    assert str(report) == f"✓ {target}: all checks pass ({items})"
    assert repr(report) == str(report)
    assert lab.check(package_version(target), target) is None  # no value for the cell to show
    assert capsys.readouterr().out == f"✓ {target}: all checks pass ({items})\n"


def test_a_method_may_be_given_as_a_plain_function():
    assert lab.run_check(layers.Linear.backward, "layers.Linear.backward").passed
    assert lab.run_check(autograd.Tensor.__pow__, "autograd.Tensor.__pow__").passed


def blank(params, x, y):
    raise NotImplementedError()


@pytest.mark.parametrize(
    ("function", "reason"),
    [
        (blank, "a blank still raises NotImplementedError"),
        (lambda params, x, y: None, "it returns None"),
        (lambda params, x, y: ..., "it returns ..."),
    ],
)
def test_a_blank_left_in_place_is_not_done_yet(function, reason):
    report = lab.run_check(function, TWO_LAYER)
    assert report.status == "not done"
    assert report.lines == (f"… {TWO_LAYER}: not done yet ({reason})",)


def test_an_exception_is_reported_with_its_type_message_and_line():
    def broken(params, x, y):
        raise ValueError("the shapes do not fit\nsecond line")

    report = lab.run_check(broken, TWO_LAYER)
    assert report.status == "error"
    assert report.lines == (
        f"✗ {TWO_LAYER}: your code raised ValueError: the shapes do not fit",
        '  at: raise ValueError("the shapes do not fit\\nsecond line")',
    )


def test_a_result_of_the_wrong_kind_is_named():
    report = lab.run_check(lambda params, x, y: 1.0, TWO_LAYER)
    assert report.lines == (
        f"✗ {TWO_LAYER}: it returns float, needed (loss, grads): a number and a dict of gradients",
    )


def test_a_missing_gradient_and_a_wrong_loss_are_items_of_the_report():
    def no_w2(params, x, y):
        loss, grads = two_layer.loss_and_grads(params, x, y)
        return 3 * loss, {"w1": grads["w1"]}

    report = lab.run_check(no_w2, TWO_LAYER)
    assert report.status == "fail"
    assert report.lines[0] == f"✗ {TWO_LAYER}: 2 of 3 checks fail"
    assert report.lines[1].startswith("  ✗ loss: shape () as needed, but relative error 5.0e-01")
    assert report.lines[1].endswith("against the right value")
    assert report.lines[2].startswith("  ✓ ∂L/∂w1: right, shape (4, 3), relative error ")
    assert report.lines[3] == "  ✗ ∂L/∂w2: missing"


def test_the_transpose_and_nan_are_recognised():
    def transposed(params, x, y):
        loss, grads = two_layer.loss_and_grads(params, x, y)
        return loss, {"w1": grads["w1"].T, "w2": grads["w2"] * np.nan}

    report = lab.run_check(transposed, TWO_LAYER)
    assert report.lines[2:] == (
        "  ✗ ∂L/∂w1: shape (3, 4), needed (4, 3)",
        "    likely: this is the transpose of ∂L/∂w1",
        "  ✗ ∂L/∂w2: NaN or infinite entries",
    )
    assert report.causes == {"∂L/∂w1": "this is the transpose of ∂L/∂w1"}


def _flawed(params, x, y, *, activation="linear", biases=False, loss="half_squared_error"):
    """The seed's w1 rule in the worksheet's signature (its options passed on)."""
    right = toy_mlp.loss_and_grads(params, x, y, activation=activation, biases=biases, loss=loss)
    wrong = toy_mlp.loss_and_grads_flawed(
        {k: params[k] for k in ("w1", "w2")}, x, y, activation=activation
    )
    return right[0], {**right[1], "w1": wrong[1]["w1"]}


def test_the_seeds_w1_rule_is_named_in_every_case_it_fails():
    report = lab.run_check(_flawed, "toy_mlp.loss_and_grads")
    assert report.causes == {
        "∂L/∂w1": "the w1 rule is built from w2's partials (δ2 h, the activations) instead of "
        "from w2: the chain rule gives xᵀ (δ2 w2ᵀ ⊙ φ'(z1))"
    }


def _no_biases(params):
    return {k: params[k] for k in ("w1", "w2")}


def test_a_forward_pass_without_its_biases_is_named():
    def forward(params, x, *, activation="linear", biases=False):
        return toy_mlp.forward(_no_biases(params), x, activation=activation)

    report = lab.run_check(forward, "toy_mlp.forward")
    assert report.lines[1] == (
        '  ✗ ŷ (activation="relu", biases=True, N = 3): shape (3,) as needed, but relative '
        "error 4.0e-01 against the right value"
    )
    assert report.causes == {
        "ŷ": "the biases are missing from the forward pass: z1 = x w1 + b1 and ŷ = h w2 + b2"
    }


def test_a_backward_pass_without_the_biases_or_for_the_half_loss_only_is_named():
    def no_biases(params, x, y, *, activation="linear", biases=False, loss="half_squared_error"):
        return toy_mlp.loss_and_grads(_no_biases(params), x, y, activation=activation, loss=loss)

    def half_loss_delta(
        params, x, y, *, activation="linear", biases=False, loss="half_squared_error"
    ):
        right = toy_mlp.loss_and_grads(
            params, x, y, activation=activation, biases=biases, loss=loss
        )
        half = toy_mlp.loss_and_grads(params, x, y, activation=activation, biases=biases)
        return right[0], half[1]

    missing = "the biases are missing from the forward pass: z1 = x w1 + b1 and ŷ = h w2 + b2"
    assert lab.run_check(no_biases, "toy_mlp.loss_and_grads").causes == {
        "loss": missing,
        "∂L/∂w1": missing,
        "∂L/∂w2": missing,
    }
    half = "δ2 is the ½-loss's ŷ − y, but this loss has no ½: δ2 = loss_grad(ŷ, y), here 2 (ŷ − y)"
    report = lab.run_check(half_loss_delta, "toy_mlp.loss_and_grads")
    assert report.causes == {"∂L/∂w1": half, "∂L/∂w2": half}
    assert report.lines[2].startswith('  ✗ ∂L/∂w1 (loss="sum_squared_error", N = 3): ')


def test_a_wrong_option_is_named_in_the_line():
    def sigmoid_only(params, x, y, **options):
        return xor.loss_and_grads(params, x, y, output="sigmoid", loss="squared")

    report = lab.run_check(sigmoid_only, "xor.loss_and_grads")
    assert report.lines[2].startswith('  ✗ ∂L/∂w1 (activation="relu"): shape (2, 3) as needed')


def test_check_raises_with_the_report_and_run_check_does_not():
    with pytest.raises(lab.CheckError) as caught:
        lab.check(blank, TWO_LAYER)
    assert (
        str(caught.value)
        == f"… {TWO_LAYER}: not done yet (a blank still raises NotImplementedError)"
    )
    assert caught.value.report.status == "not done"


def test_in_ipython_the_report_replaces_the_traceback():
    class Shell:
        def _showtraceback(self, etype, value, stb):
            self.shown = (etype, stb)

    shell, report = Shell(), lab.run_check(blank, TWO_LAYER)
    lines = lab._show_report(shell, lab.CheckError, lab.CheckError(report), None)
    assert lines == list(report.lines)
    assert shell.shown == (lab.CheckError, list(report.lines))


def test_an_unknown_check_is_a_clear_error():
    with pytest.raises(ValueError, match=r"^unknown check 'two_layer\.forward'; the checks are "):
        lab.run_check(two_layer.forward, "two_layer.forward")


def test_overflow_in_the_students_code_is_reported_not_warned():
    def unshifted(z):
        return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))

    report = lab.run_check(unshifted, "functional.log_softmax")  # warnings are errors here
    assert report.lines[1:] == (
        "  ✗ log softmax (logits of size 1000): NaN or infinite entries",
        "    likely: exp overflows for large logits: subtract each row's maximum before exp",
    )


def test_the_reference_agrees_with_central_differences_on_every_case():
    for target, spec in lab.TARGETS.items():
        for case in spec.cases():
            right = spec.run(package_version(target) if spec.method else spec.reference, case)
            for item, numeric in spec.numeric(case).items():
                error = relative_error(np.asarray(right[item], dtype=float), numeric)
                assert error < 1e-7, (target, case.label, item, error)


def test_every_named_mistake_differs_from_the_right_answer_on_some_case():
    # a candidate equal to the right answer is skipped, never named: some case
    # of the seeded inputs must tell each mistake apart from the right answer
    for target, spec in lab.TARGETS.items():
        apart = {}
        for case in spec.cases():
            right = spec.run(package_version(target) if spec.method else spec.reference, case)
            for item, candidates in spec.mistakes(case).items():
                for cause, wrong in candidates if item in right else ():
                    wrong = np.asarray(wrong, dtype=float)
                    differs = (
                        np.shape(wrong) != np.shape(right[item])
                        or not np.isfinite(wrong).all()  # the right answers are finite
                        or relative_error(wrong, right[item]) > 1e-3
                    )
                    apart[item, cause] = apart.get((item, cause), False) or differs
        assert all(apart.values()), (target, [k for k, v in apart.items() if not v])


def test_softmax_checks_see_the_packages_functions():
    assert lab.run_check(F.cross_entropy, "functional.cross_entropy").passed
    halved = lab.run_check(
        lambda z, y: F.cross_entropy_grad(z, y) * 3, "functional.cross_entropy_grad"
    )
    assert halved.status == "fail" and halved.causes == {}


def test_grads_left_none_is_named_as_the_second_element():
    def no_grads(params, x, y):
        return two_layer.loss_and_grads(params, x, y)[0], None

    assert lab.run_check(no_grads, TWO_LAYER).lines == (
        f"✗ {TWO_LAYER}: it returns (loss, None): the second element is None, "
        "needed a dict of gradients",
    )


def test_an_item_left_none_is_named():
    def nones(params, x, y):
        return None, {"w1": None, "w2": two_layer.loss_and_grads(params, x, y)[1]["w2"]}

    report = lab.run_check(nones, TWO_LAYER)
    assert report.lines[:3] == (
        f"✗ {TWO_LAYER}: 2 of 3 checks fail",
        "  ✗ loss: it is None, needed a number",
        "  ✗ ∂L/∂w1: it is None, needed an array of shape (4, 3)",
    )


POWER = "autograd.Tensor.__pow__"


class VjpOfTensors(autograd.Tensor):
    def __pow__(self, p):
        x = self.data
        return autograd.node(x**p, "pow", (self, lambda g: g * p * self ** (p - 1)))


class ForwardOfArrays(autograd.Tensor):
    def __pow__(self, p):
        return self.data**p


class VjpOfNothing(autograd.Tensor):
    def __pow__(self, p):
        x = self.data
        return autograd.node(x**p, "pow", (self, lambda g: None))


@pytest.mark.parametrize(
    ("cls", "line"),
    [
        (
            VjpOfTensors,
            "the vjp returns a Tensor, needed an ndarray: compute it from arrays "
            "(g and x = self.data), not from the tensor self",
        ),
        (
            ForwardOfArrays,
            "t ** p returns ndarray, needed a Tensor: make the result with node(data, op, "
            "(self, vjp))",
        ),
        (VjpOfNothing, "the vjp returns None, needed an ndarray: the gradient for the parent"),
    ],
)
def test_an_op_that_mixes_tensors_and_arrays_is_named_plainly(cls, line):
    report = lab.run_check(cls, POWER)
    assert report.status == "fail"
    assert report.lines == (f"✗ {POWER}: {line}",)


MEAN = "a mean where the sum is meant: yours is divided by {}; this loss is a sum, with no 1/n"


def test_a_mean_where_the_sum_is_meant_in_the_models():
    def means(params, x, y):
        loss, grads = two_layer.loss_and_grads(params, x, y)
        return loss / y.size, {k: v / len(x) for k, v in grads.items()}

    assert lab.run_check(means, TWO_LAYER).causes == {
        "loss": MEAN.format("the number of entries of y"),
        "∂L/∂w1": MEAN.format("N, the number of examples"),
        "∂L/∂w2": MEAN.format("N, the number of examples"),
    }

    def bias_mean(params, x, y, **options):
        loss, grads = xor.loss_and_grads(params, x, y, **options)
        return loss, {**grads, "b1": grads["b1"] / len(x)}

    report = lab.run_check(bias_mean, "xor.loss_and_grads")
    assert report.causes == {"∂L/∂b1": MEAN.format("N, the number of examples")}


def test_a_mean_where_the_sum_is_meant_in_a_linear_layer():
    class Means(layers.Linear):
        def backward(self, grad_out):
            grad_in = super().backward(grad_out)
            self.grads = {"w": self._x.T @ grad_out / len(grad_out), "b": grad_out.mean(axis=0)}
            return grad_in

    mean = (
        "a mean where the sum is meant: yours is divided by N, the number of examples; "
        "the gradient sums over the examples"
    )
    report = lab.run_check(Means, "layers.Linear.backward")
    assert report.causes == {"∂L/∂w": mean, "∂L/∂b": mean}


def test_the_log_of_the_softmax_is_named_as_an_underflow_not_an_overflow():
    report = lab.run_check(lambda z: np.log(F.softmax(z)), "functional.log_softmax")
    assert report.lines[1:] == (
        "  ✗ log softmax (logits of size 1000): NaN or infinite entries",
        "    likely: log of an underflowed 0: softmax(z) rounds to 0 where a logit lies far "
        "below its row's maximum, and log(0) = −inf; compute z − max − log Σ exp(z − max), "
        "not log(softmax(z))",
    )


def test_an_infinite_cross_entropy_names_both_ways_to_it():
    def of_log(z, y):  # each stacked network's mean, summed
        return (-np.log(F.softmax(z))[..., np.arange(len(y)), y]).mean(axis=-1).sum()

    report = lab.run_check(of_log, "functional.cross_entropy")
    assert report.causes == {
        "loss": "an infinite loss: log(softmax(z)) takes the log of a probability that "
        "underflowed to 0, or exp overflowed; use log_softmax, which subtracts each row's maximum"
    }


def test_the_promised_options_are_tried_and_their_mistakes_named():
    """Several outputs for the MSE, a leading axis for the cross-entropy, 0 for a power."""

    class RowsMSE(layers.MSELoss):
        def backward(self):
            y_hat, y = self._cache
            return 2 * (y_hat - y) / len(y)

    report = lab.run_check(RowsMSE, "layers.MSELoss.backward")
    assert report.lines[1].startswith("  ✗ ∂L/∂ŷ (3 outputs): shape (5, 3) as needed")
    assert report.causes == {
        "∂L/∂ŷ": "divided by the number of rows N, not by every entry: with several outputs "
        "the mean runs over all n = N × D entries"
    }

    def mean_of_all(z, y):  # the mean over the stacked networks' rows too
        return float((-F.log_softmax(z)[..., np.arange(len(y)), y]).mean())

    report = lab.run_check(mean_of_all, "functional.cross_entropy")
    assert report.lines[1].startswith("  ✗ loss (a leading axis of 2 networks): ")
    assert report.causes == {"loss": lab_mistakes.LEADING_MEAN}

    def along_axis_1(z):
        shifted = z - z.max(axis=1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))

    report = lab.run_check(along_axis_1, "functional.log_softmax")
    assert report.causes == {
        "log softmax": "the sums run over axis 1, not over the classes, the last axis (−1)"
    }

    class DividedPower(autograd.Tensor):
        def __pow__(self, p):
            x = self.data
            return autograd.node(x**p, "pow", (self, lambda g: g * p * x**p / x))

    with np.errstate(all="ignore"):
        report = lab.run_check(DividedPower, "autograd.Tensor.__pow__")
    assert report.lines[2] == "  ✗ ∂L/∂t (p = 3, t with an entry 0): NaN or infinite entries"
    assert report.causes == {
        "∂L/∂t": "it divides by t, which is 0 here: write p t^(p−1), not p t^p / t"
    }
