"""The book's worksheets: which package functions become blanks, and the text around them.

Each :class:`Sheet` is one notebook of the lab edition: a title, the
chapter it goes with, a short introduction, and its exercises, each a
:class:`~scratchnn.lab.source.Blank` cut from the package's source with a
paragraph that says what to write.  The code itself is never written here:
:mod:`scratchnn.lab.build` reads it from the live package.
"""

from dataclasses import dataclass

from scratchnn.lab.source import Blank

__all__ = ["SHEETS", "Exercise", "Sheet"]


@dataclass(frozen=True)
class Exercise:
    """One blank, the paragraph before it, and the points its check cell is worth."""

    blank: Blank
    text: str
    points: int = 1


@dataclass(frozen=True)
class Sheet:
    """One worksheet: file name, title, the chapter (title) it follows, intro, exercises."""

    name: str
    title: str
    chapter: str
    intro: str
    exercises: tuple[Exercise, ...]


_HOW = (
    "Each exercise is a function of the book's package with its signature and its "
    "docstring (the shape of every argument and result) kept and some lines taken out. "
    "Write them where the cell says `raise NotImplementedError()` (delete that line), then "
    "run the check cell below it. The check runs your function on seeded inputs, compares "
    "each result with finite differences and with the package, and says what is wrong "
    "and, when it recognises it, the likely cause. A passing check prints one line."
)

#: The two-layer blanks, one line each, as in the lab sheet the chapter comes from.
_TWO_LAYER_LINES = ("h", "y_hat", "loss", "delta2", "grad_w2", "d_h", "delta1", "grad_w1")

#: The worksheets, in the order of the chapters.
SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "linear_regression",
        "Linear regression's gradient",
        "Linear regression by gradient descent",
        "The model is the line ŷ = a x + b with two scalar parameters, fitted to N points "
        "(x, y) by the squared error of the residuals r = ŷ − y: their mean, or with "
        '`reduction="sum"` their sum. You write the loss and its gradient with respect to '
        "a and b, the two numbers gradient descent needs at every step.",
        (
            Exercise(
                Blank("linear_regression.loss_and_grads", keep=1),
                "**The loss and its gradient.** Derive ∂L/∂a and ∂L/∂b with the chain rule "
                "through each residual first: ŷ depends on a and on b in different ways. "
                "`F` has the squared errors and their derivatives ∂L/∂ŷ, or write them "
                "yourself. Return the gradients as arrays of shape (), under the keys "
                '`"a"` and `"b"`; the check tries both reductions.',
                points=2,
            ),
        ),
    ),
    Sheet(
        "toy_network",
        "A toy network by hand",
        "A toy network by hand",
        "The network has two inputs, two hidden units and one output, with the single "
        "example x = [2, 3], y = 1 and the loss ½ (ŷ − y)². You write its forward pass, "
        "then its backward pass: the two gradients ∂L/∂w2 and ∂L/∂w1, for a linear and "
        "for a ReLU hidden layer.",
        (
            Exercise(
                Blank("toy_mlp.forward", (("h",), "return")),
                "**The forward pass.** The hidden activations are φ(x w1 + b1), one row "
                "per example; the output is their weighted sum with w2. `act` is φ, "
                "already chosen from `activation` for you.",
            ),
            Exercise(
                Blank("toy_mlp.loss_and_grads", (("delta2",), ("d_h", "delta1"), ("grads",))),
                "**The backward pass.** Start from the output: δ2 = ∂L/∂ŷ (what "
                "`loss_grad` returns), then ∂L/∂h, then δ1 = ∂L/∂z1 through φ' "
                "(`act_derivative`), and finally the two weight gradients. The chain rule "
                "goes through w2 to reach w1: a rule for w1 that does not contain w2 "
                "cannot be right, even when training with it seems to work.",
                points=2,
            ),
        ),
    ),
    Sheet(
        "xor",
        "XOR, vectorised",
        "XOR: the first problem a line cannot solve",
        "The four points of the XOR truth table go through H hidden units to one "
        "output, all at once as a batch: no loop over examples. The loss is the sum "
        "over the four examples of (ŷ − y)². You write the backward pass of "
        "`loss_and_grads`; the forward pass is given.",
        (
            Exercise(
                Blank("xor.loss_and_grads", (("d_y_hat", "delta2"), ("d_h", "delta1"), ("grads",))),
                "**The backward pass, vectorised.** δ2 is ∂L/∂z2, so it includes the "
                "output activation's derivative, taken at z2; δ1 is ∂L/∂z1. Each "
                "bias gradient sums its δ over the examples, the first axis. The check "
                "tries a sigmoid and a ReLU hidden layer.",
                points=3,
            ),
        ),
    ),
    Sheet(
        "two_layer",
        "A two-layer ReLU network",
        "A two-layer ReLU network in matrix form",
        "The network is ŷ = relu(x w1) w2 without biases, on a batch x of shape "
        "(N, D_in), with the loss the sum of (ŷ − y)² over every entry. You fill in "
        "the forward pass (the hidden activation, the prediction, the loss) and the "
        "backward pass (each gradient and the ReLU mask), one line at a time. Mind "
        "the shapes: each hint says what shape the line must produce.",
        (
            Exercise(
                Blank(
                    "two_layer.loss_and_grads",
                    tuple((name,) for name in _TWO_LAYER_LINES),
                ),
                "**Forward and backward.** `F.relu` and `F.relu_derivative` are there to "
                "use. The mask of the ReLU is decided by the pre-activation z1: a hidden "
                "unit passes the gradient back where it was on during the forward pass.",
                points=4,
            ),
        ),
    ),
    Sheet(
        "exam_layers",
        "The layers of the exam-scores network",
        "Predicting exam scores",
        "The exam-scores network is built from layers, each with a `forward` that "
        "remembers its input and a `backward(grad_out)` that takes g = ∂L/∂(output), "
        "fills the layer's `grads` and returns ∂L/∂(input). You write the backward "
        "pass of each layer, as a subclass of the package's layer that replaces only "
        "`backward`.",
        (
            Exercise(
                Blank("layers.Linear.backward", keep=2),
                "**Linear.** With out = x w + b: ∂L/∂w = xᵀ g, ∂L/∂b sums g over the "
                "examples, and ∂L/∂x = g wᵀ. Store the first two in `self.grads` under "
                'the keys `"w"` and `"b"`, and return the third.',
                points=2,
            ),
            Exercise(
                Blank("layers.Activation.backward", keep=1),
                "**An activation.** out = f(x) entry by entry, so ∂L/∂x = g ⊙ f'(x), "
                "with f' (`self.df`) taken at the input the forward pass remembered "
                "(`self._recall(grad_out)` returns it). The check tries ReLU and sigmoid.",
            ),
            Exercise(
                Blank("layers.MSELoss.backward", keep=1),
                "**The loss.** L is the mean of (ŷ − y)² over all n entries; write "
                "∂L/∂ŷ from the ŷ and y the forward pass kept in `self._cache`.",
            ),
        ),
    ),
    Sheet(
        "softmax",
        "Softmax and cross-entropy",
        "Classifying handwritten digits",
        "A classifier's last layer gives logits z, one row of C numbers per example. "
        "Softmax turns them into probabilities, and the cross-entropy is the mean "
        "negative log-probability of the true labels. You write the log-softmax "
        "(without overflow), the loss and its gradient with respect to the logits.",
        (
            Exercise(
                Blank("functional.log_softmax", keep=1),
                "**Log-softmax.** The check also feeds logits of size 1000: exp(1000) "
                "overflows, so use the shift the docstring describes.",
            ),
            Exercise(
                Blank("functional.cross_entropy", keep=1),
                "**Cross-entropy.** Pick, in each row, the log-probability of the true "
                "label, and average over the examples.",
            ),
            Exercise(
                Blank("functional.cross_entropy_grad", keep=1),
                "**Its gradient.** The docstring gives the result; derive it first "
                "(the chapter does), then write it.",
                points=2,
            ),
        ),
    ),
    Sheet(
        "autograd_op",
        "One operation of the autograd engine",
        "An autograd engine from scratch",
        "Every operation of the engine makes its result with `node(data, op, (parent, "
        "vjp))`, where `vjp(g)` turns g, the gradient of the loss with respect to the "
        "result, into the gradient that flows back to the parent. You write the "
        "power t ** p, forward and vector-Jacobian product.",
        (
            Exercise(
                Blank("autograd.Tensor.__pow__", ("return",)),
                "**The power.** The result's data is x ** p; its vjp multiplies g by the "
                "derivative of t^p, entry by entry. The check tries p = 2 and p = 3.",
                points=2,
            ),
        ),
    ),
    Sheet(
        "deeper",
        "Adam and batch normalisation",
        "Training deeper networks",
        "Two pieces of a deeper network's training: one step of the Adam optimiser, with "
        "its running means of the gradients and of their squares and its bias correction, "
        "and the backward pass of batch normalisation, whose batch mean and variance depend "
        "on every example of the batch.",
        (
            Exercise(
                Blank("optim.Adam._update", keep=2),
                "**One Adam step.** The gradient g is ready (with the weight decay added, or "
                "θ decayed for AdamW). Update the running means m and v, keep them in `state` "
                "for the next step, and return the new θ, bias-corrected with t = "
                '`state["step"]`; ρ₁, ρ₂ are `self.betas`, η is `self.lr`, ε `self.eps`. The '
                "check runs three steps, with a large ε, other betas and AdamW too.",
                points=2,
            ),
            Exercise(
                Blank(
                    "layers.BatchNorm.backward", (("self.grads",), ("d_x_hat",), ("n", "return"))
                ),
                "**Batch norm's backward pass.** The forward pass kept x̂ and s = 1/√(Var + ε) "
                '(`self._x_hat`, `self._inv_std`); γ is `self.params["gamma"]`. Fill the '
                "gradients of γ and β, ∂L/∂x̂, and ∂L/∂x in training, where the batch's mean "
                "and variance depend on every row: derive it first (the chapter does). The "
                "evaluation branch, with fixed statistics, is given.",
                points=2,
            ),
        ),
    ),
    Sheet(
        "conv_backward",
        "The convolution's backward pass",
        "Convolutional networks from scratch",
        "A convolution layer slides each filter w[o] over every window of the (zero-padded) "
        "images x at the stride, and out[n, o, r, c] is the window's product with the filter "
        "plus b[o]. You write its backward pass by the same loops as the forward pass: from "
        "g = ∂L/∂out, the gradients with respect to x, w and b.",
        (
            Exercise(
                Blank(
                    "conv._conv2d_backward_loops",
                    (("rows", "cols", "g", "dw", "dxp"), ("dx",), "return"),
                ),
                "**The backward loops.** Each output entry used one window of the padded x and "
                "one filter: its g goes back to both, the window's share into `dxp` (the "
                "gradient of the padded x) and the filter's into `dw`. Windows overlap, and "
                "every image and position adds its share. Then cut the padding off, and sum "
                "∂L/∂b over what b[o] was added to. The check tries strides of 1 and 2, "
                "padding, and a kernel that is not square.",
                points=3,
            ),
        ),
    ),
)

#: The paragraph every worksheet starts its exercises with.
HOW_TO = _HOW
