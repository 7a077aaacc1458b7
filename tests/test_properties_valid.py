"""Property-based tests: valid inputs of every model give the right shapes and gradients.

For every model of :mod:`model_cases` (each chapter module with the model
contract, and the autograd adapters), generated sizes from 1 to 4, options
and values must give

* a ``forward`` result of the documented shape, float64 and finite;
* a float loss and a gradient dict with exactly the params' keys and shapes,
  float64, sharing no memory with the arguments, the same on a second call;
* gradients that agree with central finite differences
  (:func:`scratchnn.gradcheck.check_gradients`);
* arguments left as they were, and NumPy's global random state untouched;

and ``init_params`` must return exactly the model's keys and shapes.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_cases import MODELS, assert_unchanged, cases, copies, resolve

from scratchnn.gradcheck import numerical_gradient, relative_error

#: Largest relative error accepted between analytic and central-difference
#: gradients.  In float64 with eps = 1e-6 the agreement is about 1e-9 away
#: from kinks (the worst of 1 000 random cases per model: 3e-6, a saturated
#: XOR network); a wrong gradient (a missing factor 2, a transposed matrix, a
#: dropped term) is off by 1e-1 or more.
TOLERANCE = 1e-5
#: Gradients below RESOLUTION * max(1, |L|) are compared absolutely, not
#: relatively: central differences of a loss L carry a rounding error of
#: about |L| * 1e-16 / eps = |L| * 1e-10, which is all there is to the
#: gradient of a saturated sigmoid or tanh, say.
RESOLUTION = 1e-4


def gradient_errors(model, case, loss, grads) -> dict[str, float]:
    """Relative error of each analytic gradient against central differences.

    Models with many weights (digits) have ``model.samples`` random entries
    of each parameter checked, as :func:`scratchnn.gradcheck.check_gradients` does.
    """
    rng = np.random.default_rng(0)
    errors = {}
    for k, value in case.params.items():

        def loss_at(v, k=k):
            changed = {**case.params, k: v}
            return model.loss_and_grads(changed, case.x, case.y, **case.model_options)[0]

        todo = list(np.ndindex(value.shape))
        if model.samples and len(todo) > model.samples:
            todo = [todo[i] for i in rng.choice(len(todo), model.samples, replace=False)]
        numeric = numerical_gradient(loss_at, value, indices=todo)
        mask = np.zeros(value.shape, bool)
        for i in todo:
            mask[i] = True
        floor = RESOLUTION * max(1.0, abs(loss))
        errors[k] = relative_error(grads[k][mask], numeric[mask], floor=floor)
    return errors


def global_state() -> tuple:
    """NumPy's legacy global generator, as something ==-comparable."""
    state = np.random.get_state(legacy=False)  # noqa: NPY002 (checking that nobody uses it)
    return state["state"]["key"].tobytes(), state["state"]["pos"], state["gauss"]


@pytest.mark.parametrize("name", MODELS)
@settings(derandomize=True, max_examples=30, deadline=None)
@given(data=st.data())
def test_valid_inputs_give_shapes_and_gradients_and_change_nothing(name, data):
    model = MODELS[name]
    case = data.draw(cases(model, smooth=True), label="case")
    params, x, y, options = case.params, case.x, case.y, case.model_options
    before, state = copies(case), global_state()

    out = model.forward(params, x, **case.forward_options)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    assert out.shape == case.out_shape
    assert np.isfinite(out).all()

    loss, grads = model.loss_and_grads(params, x, y, **options)
    assert type(loss) is float and np.isfinite(loss)
    assert set(grads) == set(params)
    for k, g in grads.items():
        assert isinstance(g, np.ndarray) and g.dtype == np.float64, k
        assert g.shape == np.shape(params[k]), k
        assert np.isfinite(g).all(), k
        for arg in (*params.values(), x, y):
            assert not np.shares_memory(g, arg), f"gradient {k!r} is a view of an argument"
    again, grads_again = model.loss_and_grads(params, x, y, **options)
    assert again == loss
    for k in grads:
        np.testing.assert_array_equal(grads_again[k], grads[k], err_msg=k)

    errors = gradient_errors(model, case, loss, grads)
    assert max(errors.values()) < TOLERANCE, errors

    assert_unchanged(before, params, x, y)
    assert global_state() == state, "the global NumPy random state was used"


def each_model_with_init(test):
    """``test(name, data)`` for every model that has ``init_params``, on 20 drawn cases each."""
    drawn = given(data=st.data())(test)
    checked = settings(derandomize=True, max_examples=20, deadline=None)(drawn)
    return pytest.mark.parametrize("name", [n for n, m in MODELS.items() if m.init is not None])(
        checked
    )


@each_model_with_init
def test_init_params_give_exactly_the_models_keys_and_shapes(name, data):
    model = MODELS[name]
    case = data.draw(cases(model), label="case")
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    state = global_state()
    params = model.init(np.random.default_rng(seed), case.sizes, case.options)
    spec = model.spec(case.options)
    assert set(params) == set(spec)
    for k, shape in spec.items():
        assert isinstance(params[k], np.ndarray) and params[k].dtype == np.float64, k
        assert params[k].shape == resolve(shape, case.sizes), k
        assert np.isfinite(params[k]).all(), k
    again = model.init(np.random.default_rng(seed), case.sizes, case.options)
    for k in params:
        np.testing.assert_array_equal(again[k], params[k], err_msg=k)
    assert global_state() == state, "the global NumPy random state was used"
    # the start fits the model: a loss and gradients of the same shapes
    _, grads = model.loss_and_grads(params, case.x, case.y, **case.model_options)
    assert {k: g.shape for k, g in grads.items()} == {k: p.shape for k, p in params.items()}


BAD_SIZES = [0, -1, 1.5, 2.0, True, "2", None, np.float64(2.0)]
BAD_RNGS = [0, None, "0", np.random.RandomState(0), np.random.default_rng(0).bit_generator]


@each_model_with_init
def test_init_params_refuse_bad_sizes_and_generators_by_name(name, data):
    model = MODELS[name]
    case = data.draw(cases(model), label="case")
    sizes, rng, wanted = dict(case.sizes), np.random.default_rng(0), "rng"
    names = [(s, a) for s, a in model.init_names if s != "S" or case.options.get("stacked")]
    if names and data.draw(st.booleans(), label="spoil a size"):
        size, wanted = data.draw(st.sampled_from(names), label="size")
        bad = [b for b in BAD_SIZES if b is not None or size != "S"]  # networks=None: one network
        sizes[size] = data.draw(st.sampled_from(bad), label="bad size")
    else:
        rng = data.draw(st.sampled_from(BAD_RNGS), label="bad rng")
    with pytest.raises((ValueError, TypeError)) as info:
        model.init(rng, sizes, case.options)
    assert type(info.value) in (ValueError, TypeError), repr(info.value)
    assert str(info.value).startswith(wanted), str(info.value)
