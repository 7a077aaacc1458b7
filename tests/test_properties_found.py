"""What the property tests found, one reproducer each, now fixed and kept.

Each was a silent wrong answer or an error that did not name its argument:
a masked array or an ``np.matrix`` passed through unconverted, a ``y=None``
skipped its check, an activation or a weight decay of the wrong kind, a NumPy
scalar weight decay that changed the loss's type, and ``forward`` functions
that refused the options of their ``loss_and_grads``.
"""

import numpy as np
import pytest

from scratchnn import autograd_nets, digits, linear_regression, toy_mlp, two_layer, xor
from scratchnn.gradcheck import check_gradients


def digits_case():
    rng = np.random.default_rng(0)
    return digits.init_params(rng, 2), rng.standard_normal((3, 64)), np.array([1, 2, 3])


@pytest.mark.parametrize("model", [autograd_nets.TWO_LAYER, autograd_nets.EXAMS])
def test_autograd_adapters_name_y_when_it_is_none(model):
    """Model._checked reads y=None as 'no targets', so loss_and_grads(params, x, None)
    ends in TypeError 'operand must hold real numbers ..., got dtype object'."""
    params = {k: np.ones((1,) * len(shape)) for k, shape in model.spec.items()}
    with pytest.raises(TypeError, match=r"^y "):
        model.loss_and_grads(params, np.ones((1, 1)), None)


def test_digits_names_an_activation_of_the_wrong_kind():
    """functional.activation catches only KeyError: activation=['relu'] gives
    TypeError "unhashable type: 'list'"."""
    params, x, y = digits_case()
    with pytest.raises((ValueError, TypeError), match="activation"):
        digits.loss_and_grads(params, x, y, activation=["relu"])


@pytest.mark.parametrize("bad", ["0.1", None, [0.1], np.array([0.1]), 1j])
def test_digits_names_a_weight_decay_of_the_wrong_kind(bad):
    """weight_decay goes through float() unchecked: '0.1' passes the range check and
    fails later ("can't multiply sequence by non-int of type 'float'"); None,
    [0.1], np.array([0.1]) and 1j end in float()'s own messages."""
    params, x, y = digits_case()
    with pytest.raises((ValueError, TypeError), match=r"^weight_decay"):
        digits.loss_and_grads(params, x, y, weight_decay=bad)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), "0.1"])
def test_digits_forward_checks_weight_decay_as_loss_and_grads_does(bad):
    """forward checks its loss option but returns logits for weight_decay=-0.1."""
    params, x, _ = digits_case()
    with pytest.raises((ValueError, TypeError), match=r"^weight_decay"):
        digits.forward(params, x, weight_decay=bad)


@pytest.mark.parametrize("scalar", [np.float32, np.float64])
def test_digits_numpy_scalar_weight_decay_gives_the_python_number_result(scalar):
    """With np.float32(0.1) the loss is an np.float32, rounded to float32
    (3.487284 instead of 3.4872839213...); with np.float64 an np.float64."""
    params, x, y = digits_case()
    value = scalar(0.1)
    loss, _ = digits.loss_and_grads(params, x, y, weight_decay=value)
    want, _ = digits.loss_and_grads(params, x, y, weight_decay=float(value))
    assert type(loss) is float
    assert loss == want


@pytest.mark.parametrize(
    ("forward", "params", "x", "options"),
    [
        (linear_regression.forward, {"a": 1.0, "b": 0.0}, [1.0], {"reduction": "sum"}),
        (toy_mlp.forward, toy_mlp.starting_params(), toy_mlp.X, {"loss": "sum_squared_error"}),
        (
            xor.forward,
            xor.init_params(np.random.default_rng(0), 2),
            np.zeros((1, 2)),
            {"loss": "cross_entropy"},
        ),
    ],
    ids=["linear_regression", "toy_mlp", "xor"],
)
def test_forward_takes_the_options_of_loss_and_grads(forward, params, x, options):
    """DESIGN.md: 'forward takes the same [options] as loss_and_grads'; these
    forwards raise TypeError (unexpected keyword argument), so one options
    dict cannot serve both calls."""
    forward(params, x, **options)


def test_a_masked_array_gives_a_loss_and_a_gradient_that_agree():
    """checks.array passes float64 ndarray subclasses through.  A masked array
    keeps its mask: the loss is the mean over the unmasked entries (5.0 here),
    the gradient divides by all N (a: 6.67, where the derivative of that loss is 10),
    and a NaN under the mask passes the finiteness check."""
    params = {"a": np.array(1.0), "b": np.array(0.0)}
    x = np.ma.masked_array([1.0, 2.0, 3.0], mask=[False, True, False])
    y = np.ma.masked_array([0.0, 99.0, 0.0], mask=[False, True, False])
    try:
        errors = check_gradients(linear_regression.loss_and_grads, params, x, y)
    except (ValueError, TypeError) as error:  # refused: fine, if the message names x
        errors = {"refused": 0.0 if str(error).startswith("x ") else 1.0}
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_a_matrix_is_converted_or_refused_by_name():
    """np.matrix (an ndarray subclass) passes through checks.array, and the
    finiteness check ends in "TypeError: only 0-dimensional arrays can be
    converted to Python scalars"."""
    params = two_layer.init_params(np.random.default_rng(0), 3, 4, 2)
    x = np.asmatrix(np.ones((5, 3)))
    message = "x converted"
    try:
        two_layer.loss_and_grads(params, x, np.ones((5, 2)))
    except (ValueError, TypeError) as error:
        message = str(error)
    assert message.startswith("x "), message
