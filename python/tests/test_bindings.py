"""The Python bindings: each test is named after the claim it checks.

Values are computed by hand (math.md's examples, D4/D5, T1) or compared across engines where the
documentation says they agree exactly (dyadic points, the batch and point paths of the double
engine). Run with: PYTHONPATH=<build>/python /usr/bin/python3 -m pytest python/tests
"""

import math
import pickle
import threading
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy
import pytest

import selgrad

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

RELU2 = """
input t
a = neg t
b = relu a
y = add b t
output y
"""

# relu(x) - relu(-x) = x, written with two relus that tie at 0.
ODD_RELU = """
input x
a = relu x
n = neg x
b = relu n
y = sub a b
output y
"""

# Every selection op and lin, no division or elementary function: exact in doubles on dyadic
# points, so the double engine must agree with the exact reference bit for bit.
SELECTIONS = """
input u v w
m = max u v w
r = relu u
s = abs v
c = clamp w -1/2 1/2
k1 k2 k3 = sort u v w
d = min k1 c
e = select le u v u v
f = lin 1/4 2 m -3 d 1/8 e 1/2 r
g0 = mul s f
g = mul g0 k3
h = add g k2 c
output h f
"""

SMOOTH = """
input a b
s = sub a b
e = exp s
l = log b
q = div e b
y = add q l
z = tanh a
output y z
"""


def program(text):
    return selgrad.Program(text)


def dyadic_points(count, p, seed):
    """Points of multiples of 1/8 in [-2, 2]: many ties among them, every value exact in doubles."""
    rng = numpy.random.default_rng(seed)
    return rng.integers(-16, 17, size=(count, p)).astype(numpy.float64) / 8


# ---- programs --------------------------------------------------------------------------------


def test_program_exposes_inputs_outputs_and_canonical_text():
    p = program(RELU2)
    assert p.inputs == ["t"]
    assert p.outputs == ["y"]
    assert (p.p, p.q, p.m) == (1, 1, 4)
    assert selgrad.Program(p.text) == p
    assert p.text.splitlines()[0] == "input t"
    assert "4 nodes" in repr(p)


def test_program_pickles_as_its_text():
    p = program(SELECTIONS)
    assert pickle.loads(pickle.dumps(p)) == p


def test_load_reads_example_files():
    p = selgrad.load(EXAMPLES / "relu2.sgp")
    assert p == program(RELU2)


def test_load_of_a_missing_file_is_a_usage_error():
    with pytest.raises(selgrad.UsageError):
        selgrad.load(EXAMPLES / "no-such-file.sgp")


def test_parse_error_names_line_and_column():
    with pytest.raises(selgrad.ParseError) as info:
        selgrad.Program("input x\ny = add x q\noutput y\n")
    e = info.value
    assert isinstance(e, selgrad.Error) and isinstance(e, ValueError)
    assert e.kind == "parse"
    assert e.line == 2
    assert e.column is not None
    assert "q" in e.reason
    assert str(e).startswith("line 2, column")


def test_with_conventions_torch_writes_split_on_a_max_node():
    p = program("input a b\nm = max a b\noutput m\n")
    torch = p.with_conventions("torch")
    assert "m = max a b @split" in torch.text.splitlines()
    assert torch.has_tie_conventions and not p.has_tie_conventions
    assert torch != p
    assert torch.without_conventions() == p
    assert p.text == torch.without_conventions().text
    # jax leaves abs at the piece `a` (abs'(0) = 1), default writes max's own rule out.
    assert "y = abs a @a" in program("input a\ny = abs a\noutput y\n").with_conventions("jax").text
    assert "m = max a b @first" in p.with_conventions("default").text


def test_unknown_conventions_profile_is_a_value_error_listing_the_profiles():
    p = program(RELU2)
    with pytest.raises(ValueError, match="default, torch, jax, tf"):
        p.with_conventions("pytorch-nightly")
    with pytest.raises(ValueError, match="default, torch, jax, tf"):
        selgrad.grad(p, [0], conventions="keras")


# ---- exact gradients ---------------------------------------------------------------------------


def test_relu2_has_derivative_one_at_zero_T1():
    r = selgrad.grad(program(RELU2), [0])
    assert r.arithmetic == "exact"
    assert r.outputs == [Fraction(0)]
    assert r.jacobian == [[Fraction(1)]]
    assert all(isinstance(v, Fraction) for v in r.outputs + r.jacobian[0])
    (b,) = r.branches
    assert (b.node, b.op, b.piece, b.piece_index, b.tie, b.certainty) == ("b", "relu", "0", 0, True, "exact")


def test_zero_program_returns_one_at_zero_though_the_function_is_constant_T1():
    r = selgrad.grad(selgrad.load(EXAMPLES / "zero.sgp"), [0])
    assert r.outputs == [0] and r.jacobian == [[1]]


def test_select_takes_the_square_branch_left_of_zero():
    p = selgrad.load(EXAMPLES / "selection.sgp")
    r = selgrad.grad(p, ["-1/2"])
    assert r.outputs == [Fraction(1, 4)]
    assert r.jacobian == [[Fraction(-1)]]
    assert [b.piece for b in r.branches] == ["a"]
    r = selgrad.grad(p, [Fraction(3, 7)])
    assert r.outputs == [Fraction(6, 7)] and r.jacobian == [[2]]


def test_points_are_read_exactly():
    p = program("input x\ny = mul x x\noutput y\n")
    # "0.1" is the literal 1/10; the float 0.1 is its dyadic value.
    assert selgrad.grad(p, ["0.1"]).outputs == [Fraction(1, 100)]
    assert selgrad.grad(p, [0.1]).outputs == [Fraction(0.1) ** 2]
    assert selgrad.grad(p, [Decimal("0.1")]).outputs == [Fraction(1, 100)]
    assert selgrad.grad(p, [Fraction(1, 3)]).jacobian == [[Fraction(2, 3)]]
    assert selgrad.grad(p, [numpy.int64(-3)]).outputs == [9]
    assert selgrad.grad(p, [numpy.float32(0.5)]).outputs == [Fraction(1, 4)]
    for big in (2**70 + 1, -(10**5000) - 1):  # past Python's 4,300-digit str() limit too
        assert selgrad.grad(p, [big]).outputs == [big * big]
    assert selgrad.grad(p, [Fraction(1, 3 * 10**5000)]).jacobian == [[Fraction(2, 3 * 10**5000)]]
    assert selgrad.grad(p, "1/2").outputs == [Fraction(1, 4)]  # the --at form


def test_forward_and_backward_mode_give_equal_exact_jacobians_L1():
    p = program(SELECTIONS)
    for x in dyadic_points(20, 3, seed=1):
        point = [Fraction(v) for v in x]
        fwd = selgrad.grad(p, point, mode="forward")
        bwd = selgrad.grad(p, point, mode="backward")
        assert (fwd.mode, bwd.mode) == ("forward", "backward")
        assert fwd.jacobian == bwd.jacobian
        assert fwd.outputs == bwd.outputs


def test_sort_layer_at_a_tie_matches_the_examples_hand_values():
    r = selgrad.grad(selgrad.load(EXAMPLES / "sort_layer.sgp"), [1, 1, 0, 0])
    assert r.jacobian == [[Fraction(1, 2), Fraction(1, 4), Fraction(1, 8), Fraction(1, 8)]]
    assert [b.tie for b in r.branches] == [True, True, True, True]


def test_mpfr_results_round_the_certified_values_and_enclose_them():
    r = selgrad.grad(selgrad.load(EXAMPLES / "logsumexp.sgp"), [0, 0])
    assert r.arithmetic == "mpfr" and r.precision >= 256 and r.all_certified
    # y = 2 log 2 and J = [[1, 1/2]] at (0, 0) (examples/logsumexp.sgp).
    (lo, hi), = r.output_enclosures
    assert lo <= r.outputs[0] <= hi
    assert hi - lo <= 2 * math.ulp(r.outputs[0])  # 256 bits rounded outward to doubles
    assert abs(r.outputs[0] - 2 * math.log(2)) <= math.ulp(r.outputs[0])  # both round 2 log 2
    assert r.jacobian == [[1.0, 0.5]]
    for (lo, hi), v in zip(r.jacobian_enclosures[0], [1.0, 0.5]):
        assert lo <= v <= hi
    (m,) = r.branches
    assert m.tie and m.certainty in ("exact", "certified")  # the tie a = b is decided, not guessed


# ---- the double engine -------------------------------------------------------------------------


def test_fast_engine_equals_reference_on_dyadic_points():
    p = program(SELECTIONS)
    points = dyadic_points(200, 3, seed=2)
    for x in points:
        exact = selgrad.grad(p, [float(v) for v in x])
        for mode in ("backward", "forward"):
            fast = selgrad.grad(p, list(x), engine="fast", mode=mode)
            assert fast.arithmetic == "double" and not fast.point_rounded
            assert fast.outputs == [float(v) for v in exact.outputs]
            assert fast.jacobian == [[float(v) for v in row] for row in exact.jacobian]
            assert [(b.node, b.piece, b.tie) for b in fast.branches] == [
                (b.node, b.piece, b.tie) for b in exact.branches]
            assert all(b.certainty is None for b in fast.branches)


def test_fast_engine_reports_a_point_it_had_to_round():
    r = selgrad.grad(program(RELU2), ["1/3"], engine="fast")
    assert r.point_rounded and r.outputs == [1 / 3] and r.jacobian == [[1.0]]
    assert not selgrad.grad(program(RELU2), ["1/4"], engine="fast").point_rounded


def test_batch_equals_grad_lane_by_lane():
    for text in (SELECTIONS, SMOOTH):
        p = program(text)
        X = dyadic_points(300, p.p, seed=3)
        if text is SMOOTH:
            X = numpy.abs(X) + 0.25  # log b needs b > 0
        res = selgrad.batch(p, X)
        assert res.outputs.shape == (300, p.q) and res.jacobian.shape == (300, p.q, p.p)
        assert res.ok.all() and res.errors == [] and (res.error_node == -1).all()
        for lane, x in enumerate(X):
            point = selgrad.grad(p, list(x), engine="fast")
            # Bit for bit (fast/evaluate.hpp: a point's results are those of a lane).
            assert res.outputs[lane].tolist() == point.outputs
            assert res.jacobian[lane].tolist() == point.jacobian
            assert res.pieces[lane].tolist() == [b.piece_index for b in point.branches]
            assert res.ties[lane].tolist() == [b.tie for b in point.branches]
        assert res.selection_nodes == [b.node for b in point.branches]


def test_batch_equals_the_exact_reference_on_dyadic_points():
    p = program(SELECTIONS)
    X = dyadic_points(100, 3, seed=4)
    res = selgrad.batch(p, X)
    for lane, x in enumerate(X):
        exact = selgrad.grad(p, list(x))
        assert res.outputs[lane].tolist() == [float(v) for v in exact.outputs]
        assert res.jacobian[lane].tolist() == [[float(v) for v in row] for row in exact.jacobian]


def test_batch_results_are_views_of_the_engine_buffers_and_any_layout_reads_the_same():
    p = program(SELECTIONS)
    X = dyadic_points(64, 3, seed=5)
    res = selgrad.batch(p, X)
    for a in (res.outputs, res.jacobian, res.pieces, res.ties, res.error_node):
        assert not a.flags["OWNDATA"]  # handed over from the engine's BatchResult, not copied
    assert res.pieces.dtype == numpy.uint32 and res.ties.dtype == numpy.bool_
    assert res.error_node.dtype == numpy.int32
    for other in (numpy.asfortranarray(X), X.astype(numpy.float32), X.tolist(), numpy.repeat(X, 2, axis=0)[::2]):
        again = selgrad.batch(p, other)
        assert numpy.array_equal(again.outputs, res.outputs)
        assert numpy.array_equal(again.jacobian, res.jacobian)
    del res.outputs  # the remaining arrays keep the buffers alive
    assert res.jacobian.sum() == selgrad.batch(p, X).jacobian.sum()


def test_batch_tie_telemetry_counts_the_tied_lanes_of_each_selection_node():
    p = program("input a b\nr = relu a\nm = max a b\nl = log b\ny = add r m l\noutput y\n")
    X = numpy.array([[0.0, 1.0], [0.0, 0.0], [1.0, 1.0], [-2.0, 3.0], [0.0, -1.0], [2.0, 2.0]])
    res = selgrad.batch(p, X)
    assert res.tied_lanes.dtype == numpy.uint64 and res.tied_lanes.shape == (2,)
    # Lanes 1 and 4 fail (log of 0 and of -1): their ties do not count.
    assert res.ok.tolist() == [True, False, True, True, False, True]
    assert res.tied_lanes.tolist() == [1, 2]  # relu: lane 0; max: lanes 2 and 5
    assert res.tied_lanes.tolist() == res.ties[res.ok].sum(axis=0).tolist()


def test_batch_on_any_number_of_threads_gives_the_same_bits():
    p = program(SELECTIONS)
    X = dyadic_points(5000, 3, seed=8)
    one = selgrad.batch(p, X, threads=1)
    for threads in (0, 2, 5):
        many = selgrad.batch(p, X, threads=threads)
        for a, b in ((one.outputs, many.outputs), (one.jacobian, many.jacobian), (one.pieces, many.pieces),
                     (one.ties, many.ties), (one.tied_lanes, many.tied_lanes)):
            assert numpy.array_equal(a, b)
    with pytest.raises(ValueError):
        selgrad.batch(p, X, threads=-1)


def test_batch_without_gradient_has_values_and_no_jacobian():
    p = program(SELECTIONS)
    X = dyadic_points(10, 3, seed=6)
    res = selgrad.batch(p, X, gradient=False)
    assert res.jacobian is None
    assert numpy.array_equal(res.outputs, selgrad.batch(p, X).outputs)


def test_batch_of_zero_points_is_empty():
    res = selgrad.batch(program(RELU2), numpy.zeros((0, 1)))
    assert res.outputs.shape == (0, 1) and res.jacobian.shape == (0, 1, 1) and len(res) == 0


def test_batch_flags_failing_lanes_and_leaves_the_others():
    p = program("input a b\nq = div a b\nl = log b\ny = add q l\noutput y\n")
    X = numpy.array([[1.0, 2.0], [1.0, 0.0], [numpy.nan, 1.0], [1.0, -1.0], [3.0, 4.0]])
    res = selgrad.batch(p, X)
    assert res.ok.tolist() == [True, False, False, False, True]
    assert [lane for lane, _, _ in res.errors] == [1, 2, 3]
    assert res.errors[1][1] == "a"  # the NaN input
    assert res.error_node.tolist()[0] == -1 and res.error_node.tolist()[2] == 0
    assert res.outputs[0, 0] == 0.5 + math.log(2) or abs(res.outputs[0, 0] - (0.5 + math.log(2))) < 1e-15
    assert res.outputs[4].tolist() == selgrad.grad(p, [3.0, 4.0], engine="fast").outputs
    assert "3 failed lanes" in repr(res)


def test_batch_runs_in_several_threads_at_once():
    p = program(SMOOTH)
    X = numpy.abs(dyadic_points(20000, 2, seed=7)) + 0.5
    expected = selgrad.batch(p, X)
    results = [None] * 4

    def run(i):
        results[i] = selgrad.batch(p, X)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        assert numpy.array_equal(r.outputs, expected.outputs)
        assert numpy.array_equal(r.jacobian, expected.jacobian)


# ---- tie closure -------------------------------------------------------------------------------


def test_closure_of_relu_x_minus_relu_minus_x_at_zero_is_0_1_2_D5():
    # a' in {0, 1} and b' in {0, -1}: y' = a' - b' in {0, 1, 2}; AD's tie rules give 0 - 0.
    c = selgrad.closure(program(ODD_RELU), [0])
    assert c.outputs == [0] and c.jacobian == [[0]]
    assert sorted(m[0][0] for m in c.jacobians) == [0, 1, 2]
    assert c.jacobians[0] == c.jacobian
    assert sorted(c.tied) == ["a", "b"]
    assert c.combinations == 4 and c.complete
    assert c.zero_in_hull is True
    assert c.nesting is None


def test_closure_of_zero_program_is_minus_one_zero_one():
    c = selgrad.closure(selgrad.load(EXAMPLES / "zero.sgp"), ["0"])
    assert sorted(m[0][0] for m in c.jacobians) == [-1, 0, 1]
    assert c.zero_in_hull


def test_closure_away_from_the_kink_is_one_jacobian_and_zero_is_not_in_its_hull():
    c = selgrad.closure(program(ODD_RELU), ["1/2"])
    assert c.jacobians == [[[1]]] and c.tied == [] and c.zero_in_hull is False


def test_closure_of_the_selection_example_is_0_and_2():
    c = selgrad.closure(selgrad.load(EXAMPLES / "selection.sgp"), [0])
    assert sorted(m[0][0] for m in c.jacobians) == [0, 2]
    assert "2 distinct selection Jacobians" in repr(c)


def test_closure_with_several_outputs_has_no_hull_question():
    c = selgrad.closure(program(SELECTIONS), [0, 0, 0])
    assert c.zero_in_hull is None and c.hull_method == "none"
    assert len(c.jacobians) >= 2 and all(len(m) == 2 and len(m[0]) == 3 for m in c.jacobians)


def test_closure_past_its_cap_is_refused_or_marked_incomplete():
    # Sixteen independent relu ties: 2^16 combinations, no nesting (H1 decides the hull).
    lines = ["input " + " ".join(f"x{i}" for i in range(16))]
    lines += [f"r{i} = relu x{i}" for i in range(16)]
    lines += ["y = add " + " ".join(f"r{i}" for i in range(16)), "output y"]
    c = selgrad.closure(program("\n".join(lines)), [0] * 16, max_combinations=8)
    assert not c.complete and len(c.jacobians) == 1 and c.combinations == 2**16
    assert c.zero_in_hull is True
    # Nested ties (relu of a relu) past the cap cannot be decided without enumerating.
    nested = "input x\na = relu x\nb = relu a\nc = relu b\ny = add a b c\noutput y\n"
    with pytest.raises(selgrad.ResourceError):
        selgrad.closure(program(nested), [0], max_combinations=2)


def test_closure_of_a_program_with_exp_is_unsupported():
    with pytest.raises(selgrad.UnsupportedError):
        selgrad.closure(program(SMOOTH), [1, 1])


# ---- errors ------------------------------------------------------------------------------------


def test_wrong_point_length_is_a_usage_error():
    with pytest.raises(selgrad.UsageError, match="1 input but the point has 2 values") as info:
        selgrad.grad(program(RELU2), [0, 1])
    assert isinstance(info.value, ValueError) and info.value.kind == "usage"
    with pytest.raises(selgrad.UsageError):
        selgrad.grad(program(RELU2), [0, 1], engine="fast")
    with pytest.raises(selgrad.UsageError):
        selgrad.closure(program(RELU2), [])


@pytest.mark.parametrize("engine", ["reference", "fast"])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, numpy.float64("nan"), Decimal("nan")])
def test_non_finite_points_are_value_errors(engine, bad):
    with pytest.raises(ValueError, match="finite"):
        selgrad.grad(program(RELU2), [bad], engine=engine)


@pytest.mark.parametrize("bad", [[None], [True], [numpy.bool_(True)], [1j], [object()], [[1]], 0.5, None, b"1"])
def test_points_that_are_not_sequences_of_numbers_are_type_errors(bad):
    with pytest.raises(TypeError):
        selgrad.grad(program(RELU2), bad)


def test_a_str_that_is_no_literal_is_a_value_error():
    with pytest.raises(ValueError, match="not a number literal"):
        selgrad.grad(program(RELU2), ["1/0"])
    with pytest.raises(ValueError, match="digits"):  # the literal's digit cap, checked first
        selgrad.grad(program(RELU2), [2**100000])
    with pytest.raises(ValueError):
        selgrad.grad(program(RELU2), ["one"])


def test_bad_engine_mode_and_program_arguments_are_rejected():
    p = program(RELU2)
    with pytest.raises(ValueError, match="engine"):
        selgrad.grad(p, [0], engine="gpu")
    with pytest.raises(ValueError, match="mode"):
        selgrad.grad(p, [0], mode="sideways")
    with pytest.raises(TypeError, match="selgrad.Program"):
        selgrad.grad(RELU2, [0])


def test_domain_errors_name_the_node_and_line():
    p = program("input x\ny = log x\noutput y\n")
    for engine in ("reference", "fast"):
        with pytest.raises(selgrad.DomainError) as info:
            selgrad.grad(p, [-1], engine=engine)
        assert info.value.node == "y" and info.value.line == 2 and info.value.kind == "domain"
    with pytest.raises(selgrad.DomainError):
        selgrad.grad(program("input x\ny = div 1 x\noutput y\n"), [0])


def test_a_discontinuous_select_is_a_continuity_error_D3():
    p = program("input t\na = add t 1\ny = select le t 0 t a\noutput y\n")
    with pytest.raises(selgrad.ContinuityError) as info:
        selgrad.grad(p, [0])
    assert info.value.node == "y"


def test_batch_shape_and_dtype_errors():
    p = program(SELECTIONS)
    with pytest.raises(ValueError, match=r"shape \(N, 3\).*\(5, 2\)"):
        selgrad.batch(p, numpy.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"\(6,\)"):
        selgrad.batch(p, numpy.zeros(6))
    with pytest.raises(ValueError):
        selgrad.batch(p, numpy.zeros((2, 3, 1)))
    with pytest.raises(TypeError):
        selgrad.batch(p, [["a", "b", "c"]])
    with pytest.raises(ValueError, match="default, torch, jax, tf"):
        selgrad.batch(p, numpy.zeros((1, 3)), conventions="theano")


def test_error_classes_are_exported_and_share_a_base():
    for name in ("ParseError", "ProgramError", "DomainError", "ContinuityError", "ResourceError",
                 "UnsupportedError", "UsageError"):
        cls = getattr(selgrad, name)
        assert issubclass(cls, selgrad.Error) and issubclass(cls, Exception)


def test_results_print_like_the_command_line():
    text = repr(selgrad.grad(program(RELU2), [0]))
    assert "y: [1]" in text and "b = relu (line 4): piece 0, tie, exact" in text
    assert "piece" in repr(selgrad.grad(program(RELU2), [0], engine="fast"))


# ---- the gradient check ------------------------------------------------------------------------

def test_check_gradient_classifies_claims_at_the_zero_programs_tie():
    p = selgrad.load(EXAMPLES / "zero.sgp")  # closure {-1, 0, 1} at 0
    one = selgrad.check_gradient(p, [0], [[1]])
    assert one.verdict == "closure" and one.bifurcation and one.closure_size == 3
    assert selgrad.check_gradient(p, [0], [Fraction(1, 2)]).verdict == "hull"
    assert selgrad.check_gradient(p, [0], ["2"]).verdict == "outside"
    assert selgrad.check_gradient(p, [0], [-1.0]).verdict == "closure"


def test_check_gradient_reads_rows_and_rejects_wrong_sizes():
    p = program(SELECTIONS)
    ad = selgrad.grad(p, [1, 1, 1])
    assert selgrad.check_gradient(p, [1, 1, 1], ad.jacobian).verdict == "closure"
    with pytest.raises(ValueError, match="rows"):
        selgrad.check_gradient(p, [1, 1, 1], ad.jacobian[:1])
    with pytest.raises(ValueError, match="entries"):
        selgrad.check_gradient(p, [1, 1, 1], [row[:2] for row in ad.jacobian])


# ---- documentation -----------------------------------------------------------------------------


def test_the_readmes_python_example_runs_and_says_what_it_prints(monkeypatch):
    readme = (EXAMPLES.parent / "README.md").read_text()
    block = readme.split("### From Python", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(EXAMPLES.parent)
    scope = {}
    exec(compile(block, "README.md", "exec"), scope)
    p = scope["p"]
    assert selgrad.grad(p, [0]).jacobian == [[Fraction(1, 1)]]
    c = selgrad.closure(p, [0])
    assert c.jacobians == [[[1]], [[0]], [[-1]]] and c.zero_in_hull is True
    assert scope["r"].outputs.shape == (10**5, 1) and scope["r"].ok.all()


# ---- tie conventions in the engines ------------------------------------------------------------


def test_conventions_change_the_gradient_at_ties_only():
    p = program("input x y\nm = max x y\nc = clamp y 0 1\nz = add m c\noutput z\n")
    assert selgrad.grad(p, [0, 0]).jacobian == [[1, 0]]
    torch_like = selgrad.grad(p, [0, 0], conventions="torch")
    assert torch_like.jacobian == [[Fraction(1, 2), Fraction(3, 2)]]
    assert selgrad.grad(p, [0, 0], engine="fast", conventions="torch").jacobian == [[0.5, 1.5]]
    assert selgrad.grad(p, [Fraction(1, 3), 2], conventions="torch").jacobian == \
        selgrad.grad(p, [Fraction(1, 3), 2]).jacobian
    X = numpy.array([[0.0, 0.0], [1.0, 0.5], [2.0, 2.0]])
    b = selgrad.batch(p, X, conventions="torch")
    assert b.jacobian[:, 0, :].tolist() == [[0.5, 1.5], [1.0, 1.0], [0.5, 0.5]]


def test_a_split_convention_is_in_the_hull_of_the_closure_not_in_it():
    p = program("input x y\nm = max x y\noutput m\n")
    g = selgrad.grad(p, [1, 1], conventions="jax").jacobian
    assert g == [[Fraction(1, 2), Fraction(1, 2)]]
    assert selgrad.check_gradient(p, [1, 1], g).verdict == "hull"
