"""The book's networks rebuilt on the autograd engine equal their hand-written gradients."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Annotation

from scratchnn import autograd_figures as af
from scratchnn import autograd_nets as an
from scratchnn import exams, two_layer
from scratchnn.autograd import Tensor
from scratchnn.data import load_exams
from scratchnn.gradcheck import check_gradients, relative_error
from scratchnn.train import gradient_descent


def _exam_problem(seed=0):
    x, y = exams.scale(load_exams())
    return x, y, exams.init_params(np.random.default_rng(seed), x.shape[1], 5, 1)


def _largest_relative(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def test_two_layer_gradients_equal_the_hand_written_ones():
    x, y, params = two_layer.book_problem(0)
    loss, grads = an.TWO_LAYER.loss_and_grads(params, x, y)
    hand_loss, hand = two_layer.loss_and_grads(params, x, y)
    assert loss == pytest.approx(hand_loss, rel=1e-12)
    assert set(grads) == set(hand)
    for k in hand:
        assert grads[k].shape == hand[k].shape
        assert _largest_relative(grads[k], hand[k]) < 1e-12


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exam_network_gradients_equal_the_hand_written_ones(seed):
    x, y, params = _exam_problem(seed)
    loss, grads = an.EXAMS.loss_and_grads(params, x, y)
    hand_loss, hand = exams.loss_and_grads(params, x, y)
    assert loss == pytest.approx(hand_loss, rel=1e-12)
    for k in hand:
        if np.any(hand[k]):
            assert _largest_relative(grads[k], hand[k]) < 1e-12
        else:  # a dead unit's gradient is zero in both
            np.testing.assert_array_equal(grads[k], hand[k])


def test_rebuilt_networks_pass_the_gradient_check():
    x, y, params = two_layer.book_problem(0, n=8, d_in=6, hidden=5, d_out=3)
    assert max(check_gradients(an.TWO_LAYER.loss_and_grads, params, x, y).values()) < 1e-7
    x, y, params = _exam_problem(0)
    params["b1"] = params["b1"] + 0.3  # every unit alive, so every entry is checked
    assert max(check_gradients(an.EXAMS.loss_and_grads, params, x, y).values()) < 1e-7


def test_forward_equals_the_hand_written_forward():
    x, _, params = two_layer.book_problem(0, n=8, d_in=6, hidden=5, d_out=3)
    np.testing.assert_allclose(
        an.TWO_LAYER.forward(params, x), two_layer.forward(params, x), rtol=1e-13
    )
    x, _, params = _exam_problem(1)
    np.testing.assert_allclose(an.EXAMS.forward(params, x), exams.forward(params, x), rtol=1e-13)


def test_gradient_descent_trains_the_rebuilt_exam_network_as_the_hand_written_one():
    x, y, params = _exam_problem(0)
    ours = gradient_descent(an.EXAMS.loss_and_grads, params, x, y, lr=0.1, epochs=200)
    theirs = gradient_descent(exams.loss_and_grads, params, x, y, lr=0.1, epochs=200)
    np.testing.assert_allclose(ours.losses, theirs.losses, rtol=1e-10)


def test_loss_and_grads_does_not_touch_the_callers_arrays_and_leaves_nothing_over():
    x, y, params = _exam_problem(0)
    before = {k: v.copy() for k, v in params.items()}
    _, first = an.EXAMS.loss_and_grads(params, x, y)
    _, second = an.EXAMS.loss_and_grads(params, x, y)
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
        np.testing.assert_array_equal(first[k], second[k])  # no accumulation across calls


def test_graph_gives_the_loss_before_backward():
    x, y, params = _exam_problem(0)
    loss, leaves = an.EXAMS.graph(params, x, y)
    assert isinstance(loss, Tensor)
    assert loss.shape == ()
    assert set(leaves) == {"w1", "b1", "w2", "b2"}
    assert not np.any(leaves["w1"].grad)


def test_bad_inputs_name_the_argument_and_the_shapes():
    x, y, params = two_layer.book_problem(0, n=4, d_in=3, hidden=2, d_out=2)
    with pytest.raises(ValueError, match=r"^x must have shape \(N, D_in\) with D_in = 3, got"):
        an.TWO_LAYER.loss_and_grads(params, x[:, :2], y)
    with pytest.raises(ValueError, match=r"^y must have shape \(N, D_out\) with N = 4, D_out = 2"):
        an.TWO_LAYER.loss_and_grads(params, x, y[:, :1])
    with pytest.raises(ValueError, match=r"^params must have exactly .*missing 'w2'"):
        an.TWO_LAYER.loss_and_grads({"w1": params["w1"]}, x, y)


def test_run_trains_both_ways_to_the_same_losses():
    result = an.run(epochs=5)
    assert result.history.losses.shape == (5,)
    assert result.start_gap < 1e-12
    assert result.loss_gap < 1e-12
    lines = an.summary(result)
    assert lines[0].startswith("5 steps of the two-layer network")
    assert isinstance(an.figure_loss(result), Figure)


def test_defaults_are_the_two_layer_chapters():
    assert (an.BOOK.seed, an.BOOK.epochs, an.BOOK.lr, an.BOOK.hidden) == (
        two_layer.BOOK.seed,
        two_layer.BOOK.epochs,
        two_layer.BOOK.lr,
        two_layer.BOOK.hidden,
    )


def test_figure_graph_draws_one_box_per_tensor_and_the_edge_values():
    a, b = Tensor(2.0, name="a"), Tensor(0.5, name="b")
    loss = (a * b + a).relu()
    loss.backward()
    fig = an.figure_graph(loss)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert {"a", "b", "*", "+", "relu"} <= set(texts)
    # the fork: the two parts of a's gradient, 0.5 through * and 1 through +
    assert "0.5" in texts
    assert "1" in texts
    assert a.grad == pytest.approx(1.5)
    assert relative_error(b.grad, np.array(2.0)) == 0.0


def _drawn(fig):
    """(arrows, other texts) of a graph figure."""
    texts = fig.axes[0].texts
    return [t for t in texts if isinstance(t, Annotation)], [
        t.get_text() for t in texts if not isinstance(t, Annotation)
    ]


def test_scalar_graph_figure_has_a_box_per_tensor_and_two_labels_per_edge():
    a, b, c = Tensor(3.0, name="a"), Tensor(-1.0, name="b"), Tensor(5.0, name="c")
    f = ((a * b + c) * a).relu()
    n_nodes, n_edges = len(f.nodes()), sum(len(t.edges) for t in f.nodes())
    assert (n_nodes, n_edges) == (7, 7)
    arrows, texts = _drawn(af.figure_graph(f))
    assert len(arrows) == n_edges
    assert len(texts) == n_nodes + n_edges  # before backward: values only
    f.backward()
    arrows, texts = _drawn(af.figure_graph(f))
    assert len(texts) == n_nodes + 2 * n_edges
    # a feeds both multiplications: the parts that come back are b * a = -3 and a * b + c = 2
    assert a.grad == pytest.approx(2 * 3.0 * -1.0 + 5.0)
    assert {"-3", "2"} <= set(texts)  # the parts of a's gradient along its two edges
    assert sorted(texts).count("a") == 1


def test_array_graph_figure_shows_shapes_and_backward_rules():
    x, y, params = two_layer.book_problem(0, n=4, d_in=3, hidden=2, d_out=5)
    loss, _ = an.TWO_LAYER.graph(params, x, y)
    arrows, texts = _drawn(af.figure_graph(loss))
    assert len(arrows) == 7
    assert {"w1", "w2", "@", "relu", "-", "** 2", "sum"} <= set(texts)
    assert {"(3, 2)", "(2, 5)", "(4, 2)", "(4, 5)"} <= set(texts)
    # w1 is the right operand of x @ w1 although x, a constant, has no edge
    assert texts.count("A.T @ g") == 2
    assert {"g @ B.T", "g * (A > 0)", "2 * A * g", "g copied", "g"} <= set(texts)


def test_backward_rule_names_the_operand_side_and_broadcasting():
    a, b = Tensor(np.ones((3, 4))), Tensor(np.ones(4))
    assert af.backward_rule(2.0 - a, 0) == "-g"
    assert af.backward_rule(a - 2.0, 0) == "g"
    assert af.backward_rule(a + b, 1) == "g, summed"
    assert af.backward_rule(a / b, 1) == "-g * A / B**2, summed"
    assert af.backward_rule(a**3, 0) == "3 * A**2 * g"
    assert af.backward_rule(a.mean(axis=0), 0) == "g / n copied"


def test_layout_puts_the_chain_on_row_zero_and_no_two_tensors_in_one_cell():
    x, y = _exam_problem(0)[:2]
    loss, _ = an.EXAMS.graph(_exam_problem(0)[2], x, y)
    place = af.layout(loss)
    order = loss.nodes()
    assert len(set(place.values())) == len(order)
    ops = [t for t in order if t.edges]
    assert all(place[id(t)][1] == 0 for t in ops)  # the exam net is one chain of operations
    for t in order:  # every arrow goes one or more columns to the right
        assert all(place[id(p)][0] < place[id(t)][0] for p, _ in t.edges)
