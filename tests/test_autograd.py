"""The autograd engine against central differences and against torch.autograd (float64)."""

import numpy as np
import pytest

from scratchnn.autograd import Tensor, node
from scratchnn.gradcheck import numerical_gradient, relative_error

torch = pytest.importorskip("torch")

# Each case: name, the operands' shapes, and f(const, *operands) -> a tensor.
# ``const`` turns a NumPy array into a constant of the library at hand, so the
# same expression runs on our Tensor and on torch.Tensor.
CASES = [
    ("add", [(3, 4), (3, 4)], lambda c, a, b: a + b),
    ("add bias row", [(3, 4), (4,)], lambda c, a, b: a + b),
    ("add column", [(3, 4), (3, 1)], lambda c, a, b: a + b),
    ("add scalar tensor", [(3, 4), ()], lambda c, a, b: a + b),
    ("sub bias row", [(4,), (3, 4)], lambda c, a, b: a - b),
    ("mul column", [(3, 1), (3, 4)], lambda c, a, b: a * b),
    ("mul scalar tensor", [(), (3, 4)], lambda c, a, b: a * b),
    ("div", [(3, 4), (3, 4)], lambda c, a, b: a / (b * b + 1.0)),
    ("div bias row", [(3, 4), (4,)], lambda c, a, b: a / (b * b + 0.5)),
    ("matmul", [(3, 4), (4, 2)], lambda c, a, b: a @ b),
    ("matmul by a constant", [(4, 2)], lambda c, b: c(np.arange(12.0).reshape(3, 4)) @ b),
    ("constant @ tensor, transposed", [(3, 4)], lambda c, a: a.T @ c(np.ones((3, 2)))),
    ("neg", [(3, 4)], lambda c, a: -a),
    ("pow 2", [(3, 4)], lambda c, a: a**2),
    ("pow 3", [(3, 4)], lambda c, a: a**3),
    ("pow 0.5", [(3, 4)], lambda c, a: (a * a + 1.0) ** 0.5),
    ("pow -1", [(3, 4)], lambda c, a: (a * a + 1.0) ** -1),
    ("relu", [(3, 4)], lambda c, a: a.relu()),
    ("sigmoid", [(3, 4)], lambda c, a: a.sigmoid()),
    ("tanh", [(3, 4)], lambda c, a: a.tanh()),
    ("exp", [(3, 4)], lambda c, a: a.exp()),
    ("log", [(3, 4)], lambda c, a: (a * a + 0.1).log()),
    ("transpose", [(3, 4)], lambda c, a: a.T),
    ("sum", [(3, 4)], lambda c, a: a.sum()),
    ("sum axis 0", [(3, 4)], lambda c, a: a.sum(axis=0)),
    ("sum axis 1", [(3, 4)], lambda c, a: a.sum(axis=1)),
    ("sum axis -1", [(2, 3, 4)], lambda c, a: a.sum(axis=-1)),
    ("sum axis 1 of 3-d", [(2, 3, 4)], lambda c, a: a.sum(axis=1)),
    ("mean", [(3, 4)], lambda c, a: a.mean()),
    ("mean axis 0", [(3, 4)], lambda c, a: a.mean(axis=0)),
    ("mean axis 1", [(3, 4)], lambda c, a: a.mean(axis=1)),
    ("mean axis 0 of 3-d", [(2, 3, 4)], lambda c, a: a.mean(axis=0)),
    ("used twice", [(3, 4)], lambda c, a: a * a),
    ("used twice, broadcast", [(4,)], lambda c, b: c(np.ones((3, 4))) * b + b),
    ("fork through an intermediate", [(3, 4), (3, 4)], lambda c, a, b: (a * b) * (a * b) + a * b),
    ("numbers mixed in", [(3, 4)], lambda c, a: 2.0 - 3 * a + a / 4 + 1 / (a * a + 2) - 0.5),
    ("arrays mixed in", [(3, 4)], lambda c, a: c(np.full((3, 4), 2.0)) * a - c(np.ones(4)) + a),
    (
        "a layer with its loss",
        [(5, 3), (3, 4), (4,)],
        lambda c, x, w, b: ((x @ w + b).relu() - c(np.ones((5, 4)))) ** 2,
    ),
]
IDS = [case[0] for case in CASES]


def _operands(shapes, seed=0):
    rng = np.random.default_rng(seed)
    # keep away from relu's kink, where finite differences do not apply
    return [rng.uniform(0.2, 1.5, size=s) * rng.choice([-1.0, 1.0], size=s) for s in shapes]


def _weights(f, arrays):
    """Random weights of the result's shape: the loss is sum(w * f(...)), so its grad is w."""
    out = f(np.asarray, *[Tensor(a) for a in arrays])
    return np.random.default_rng(1).standard_normal(out.shape)


def _engine(f, arrays, w):
    leaves = [Tensor(a) for a in arrays]
    loss = (f(np.asarray, *leaves) * w).sum()
    loss.backward()
    return float(loss.data), [t.grad for t in leaves]


def _torch(f, arrays, w):
    leaves = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    const = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    loss = (f(const, *leaves) * const(w)).sum()
    loss.backward()
    return loss.item(), [t.grad.numpy() for t in leaves]


@pytest.mark.parametrize(("name", "shapes", "f"), CASES, ids=IDS)
def test_op_backward_matches_central_differences(name, shapes, f):
    arrays = _operands(shapes)
    w = _weights(f, arrays)
    _, grads = _engine(f, arrays, w)
    for i, a in enumerate(arrays):

        def loss_at(value, i=i):
            return _engine(f, [*arrays[:i], value, *arrays[i + 1 :]], w)[0]

        assert relative_error(grads[i], numerical_gradient(loss_at, a)) < 1e-7, name


@pytest.mark.parametrize(("name", "shapes", "f"), CASES, ids=IDS)
def test_op_backward_matches_torch(name, shapes, f):
    arrays = _operands(shapes)
    w = _weights(f, arrays)
    loss, grads = _engine(f, arrays, w)
    torch_loss, torch_grads = _torch(f, arrays, w)
    assert loss == pytest.approx(torch_loss, rel=1e-12, abs=1e-12)
    for ours, theirs in zip(grads, torch_grads, strict=True):
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-13)


# --- random expression graphs -------------------------------------------------

UNARY = {
    "tanh": lambda c, a: a.tanh(),
    "sigmoid": lambda c, a: a.sigmoid(),
    "relu": lambda c, a: a.relu(),
    "neg": lambda c, a: -a,
    "square": lambda c, a: a**2,
    "exp of tanh": lambda c, a: a.tanh().exp(),
    "log": lambda c, a: (a * a + 1.0).log(),
    "scale": lambda c, a: 0.5 * a + 0.25,
    "column mean": lambda c, a: a - a.mean(axis=0) * c(np.ones((3, 1))),
}
BINARY = {
    "add": lambda c, a, b: a + b,
    "sub": lambda c, a, b: a - b,
    "mul": lambda c, a, b: a * b,
    "div": lambda c, a, b: a / (b * b + 1.0),
    "matmul": lambda c, a, b: (a @ b.T) @ a / 4.0,  # (3, 4) @ (4, 3) @ (3, 4)
    "bias": lambda c, a, b: a + b.sum(axis=0) / 3.0,
}


def _random_program(rng, leaves=3, steps=15):
    """A list of (kind, op, i, j): step k computes value leaves + k from earlier values."""
    program = []
    for k in range(steps):
        n = leaves + k
        if rng.random() < 0.5:
            program.append(("u", rng.choice(list(UNARY)), int(rng.integers(n)), -1))
        else:  # operands drawn with replacement: the same value may be used twice
            i, j = (int(v) for v in rng.integers(n, size=2))
            program.append(("b", rng.choice(list(BINARY)), i, j))
    return program


def _replay(program, const, leaves):
    values = list(leaves)
    for kind, op, i, j in program:
        if kind == "u":
            values.append(UNARY[op](const, values[i]))
        else:
            values.append(BINARY[op](const, values[i], values[j]))
    # the loss uses the last three values, so several branches reach it
    return sum((v * const(np.linspace(-1, 1, 12).reshape(3, 4))).sum() for v in values[-3:])


@pytest.mark.parametrize("seed", range(25))
def test_random_expression_graphs_match_torch(seed):
    rng = np.random.default_rng(seed)
    program = _random_program(rng)
    arrays = [rng.standard_normal((3, 4)) for _ in range(3)]
    ours = [Tensor(a) for a in arrays]
    loss = _replay(program, np.asarray, ours)
    loss.backward()
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    torch_loss = _replay(program, lambda a: torch.tensor(a), theirs)
    torch_loss.backward()
    assert float(loss.data) == pytest.approx(torch_loss.item(), rel=1e-12)
    for t, tt in zip(ours, theirs, strict=True):
        expected = np.zeros((3, 4)) if tt.grad is None else tt.grad.numpy()  # None: unused leaf
        np.testing.assert_allclose(t.grad, expected, rtol=1e-11, atol=1e-12)


# --- the pass itself ------------------------------------------------------------


def test_a_chain_of_ten_thousand_operations():
    start = Tensor(1.0)
    t = start
    for _ in range(10_000):
        t = t * 1.0001
    t.backward()
    assert len(t.nodes()) == 10_001
    assert start.grad == pytest.approx(1.0001**10_000, rel=1e-10)


def test_each_node_visited_once_in_topological_order():
    a = Tensor([1.0, 2.0])
    b = a * 2.0
    c = b + b  # b used twice: one node, two edges
    product = c * a  # a used twice too, far apart
    d = product.sum()
    order = d.nodes()
    assert [id(t) for t in order] == [id(t) for t in (a, b, c, product, d)]
    assert len(b.edges) == 1
    assert len(c.edges) == 2
    assert c.edges[0][0] is c.edges[1][0] is b


def test_backward_twice_accumulates_as_torch_does():
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    a = Tensor(x)
    loss = (a * a).sum()
    loss.backward()
    once = a.grad.copy()
    loss.backward()
    ta = torch.tensor(x, requires_grad=True)
    tloss = (ta * ta).sum()
    tloss.backward(retain_graph=True)
    tloss.backward()
    np.testing.assert_array_equal(a.grad, 2 * once)
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-15)
    a.grad = None  # the reset
    np.testing.assert_array_equal(a.grad, np.zeros((2, 2)))


def test_gradients_of_one_call_do_not_leak_into_intermediates_of_the_next():
    a = Tensor([3.0])
    b = a * a
    loss = (b * 2.0).sum()
    loss.backward()
    loss.backward()
    assert b.grad.tolist() == [4.0]  # 2 per call
    assert a.grad.tolist() == [24.0]  # 2 * 2 * a per call, not compounded


def test_constants_get_no_gradient_and_are_not_modified():
    x = np.array([[1.0, 2.0]])
    keep = x.copy()
    w = Tensor([[3.0], [4.0]])
    loss = (x @ w).sum() + (x * 2.0).sum()
    # w, x @ w, its sum, and the + of a plain number: (x * 2.0).sum() is no tensor at all
    assert len(loss.nodes()) == 4
    loss.backward()
    np.testing.assert_array_equal(x, keep)
    np.testing.assert_array_equal(w.grad, keep.T)


def test_tensor_copies_its_data():
    x = np.array([1.0, 2.0])
    t = Tensor(x)
    x[0] = 99.0
    assert t.data.tolist() == [1.0, 2.0]
    assert t.data.dtype == np.float64
    assert Tensor([1, 2]).data.dtype == np.float64


def test_a_new_op_needs_only_node():
    a = Tensor([-2.0, 0.5, 3.0])
    x = a.data
    absolute = node(np.abs(x), "abs", (a, lambda g: g * np.sign(x)))
    absolute.sum().backward()
    assert a.grad.tolist() == [-1.0, 1.0, 1.0]


def test_in_place_change_of_one_grad_leaves_the_others():
    a = Tensor([1.0, 2.0])
    b = Tensor([3.0, 4.0])
    s = a + b  # both edges pass the same gradient on
    s.sum().backward()
    a.grad[0] = 7.0
    assert b.grad.tolist() == [1.0, 1.0]
    assert s.grad.tolist() == [1.0, 1.0]


# --- errors ------------------------------------------------------------------------


def test_backward_on_a_non_scalar_is_a_clear_error():
    t = Tensor(np.ones((3, 2))) * 2.0
    with pytest.raises(ValueError, match=r"^backward\(\) needs a tensor with one entry") as err:
        t.backward()
    assert "got shape (3, 2)" in str(err.value)
    assert ".sum()" in str(err.value)


def test_matmul_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"^cannot compute \(3, 4\) @ \(3, 2\): @ needs"):
        Tensor(np.ones((3, 4))) @ Tensor(np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"^cannot compute \(4,\) @ \(4, 2\)"):
        np.ones(4) @ Tensor(np.ones((4, 2)))


def test_broadcast_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"^cannot compute \(3, 4\) \+ \(3,\): the shapes do not"):
        Tensor(np.ones((3, 4))) + Tensor(np.ones(3))


def test_bad_values_are_refused():
    with pytest.raises(TypeError, match=r"^data must hold real numbers"):
        Tensor(["a", "b"])
    with pytest.raises(ValueError, match=r"^data must hold only finite numbers"):
        Tensor([1.0, np.inf])
    with pytest.raises(TypeError, match=r"^\*\* needs a number as the exponent, got Tensor"):
        Tensor(2.0) ** Tensor(3.0)
    with pytest.raises(ValueError, match=r"^grad must have shape \(2,\), got \(3,\)"):
        Tensor([1.0, 2.0]).grad = np.zeros(3)
    with pytest.raises(ValueError, match=r"^axis must be a whole number >= -2 and <= 1, got 2"):
        Tensor(np.ones((2, 2))).sum(axis=2)


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_an_np_matrix_constant_multiplies_element_by_element():
    """np.matrix's * is a matrix product: the constant is converted to an ndarray first."""
    a = Tensor([[1.0, 2.0], [3.0, 4.0]])
    m = np.matrix([[1.0, 2.0], [3.0, 4.0]])
    loss = (a * m).sum()
    loss.backward()
    assert type(loss.data) is np.ndarray
    np.testing.assert_array_equal(a.grad, np.asarray(m))


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: Tensor(np.zeros(0)), ValueError, r"^data is empty \(shape \(0,\)\)"),
        (lambda: Tensor([1.0]) * np.zeros(0), ValueError, r"^operand is empty"),
        (lambda: Tensor([1.0]) + 1j, TypeError, r"^operand must hold real numbers"),
        (lambda: Tensor([1.0]) * "2", TypeError, r"^operand must hold real numbers"),
        (lambda: Tensor([1.0]) - None, TypeError, r"^operand is None"),
        (lambda: Tensor([1.0]) ** np.complex128(1j), TypeError, r"^\*\* needs a number"),
        (lambda: node(np.ones(2), "op", (3, None)), TypeError, r"^each edge must be a pair"),
        (lambda: node([1j], "op"), TypeError, r"^data must hold real numbers"),
    ],
)
def test_what_is_not_a_real_array_is_refused_by_name(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_a_vjp_of_the_wrong_shape_is_refused_when_backward_calls_it():
    b = Tensor([1.0, 2.0])
    wrong = node(b.data * 2, "double", (b, lambda g: g.sum()))  # shape () for a (2,) parent
    with pytest.raises(
        ValueError, match=r"^the vjp of 'double' returned shape \(\) for an operand"
    ):
        wrong.sum().backward()


def test_grad_is_set_only_to_real_arrays_of_the_tensors_shape():
    t = Tensor([1.0, 2.0])
    with pytest.raises(TypeError, match=r"^grad must hold real numbers"):
        t.grad = [1j, 2j]
    t.grad = [1, 2]  # ints are real numbers, converted
    assert t.grad.dtype == np.float64
