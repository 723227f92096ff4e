// The tape: a program compiled once into a flat instruction stream for the double engine.
//
// Memory model. Every value lives in a *row* of one buffer (one double per row for a single
// point, one per lane for a batch):
//   rows 0..m-1            the program's nodes, inputs first;
//   rows m..m+c-1          the c literal constants;
//   three more constant rows     0, 1 and -1 (zero_row(), one_row(), minus_one_row());
//   rows scratch_base..    partial derivatives the forward pass computes;
//   one junk row            where kernels write the partials they need not store.
// An instruction computes node k from its operand rows. Its local selection gradient d_k has
// one partial per operand position (math.md, Algorithm 2), and `partial[e]` names the row that
// holds it: often a row that already exists (d(a*b)/da is the row of b, d(exp a)/da is the row
// of exp a itself, d(a+b)/da is the row of 1), otherwise a scratch row the op writes. Which is
// which is read off the op's rule, evaluated over the symbolic scalar (program/symbolic.hpp),
// so the layout cannot disagree with the rule. So the reverse sweep is one uniform loop with no
// dispatch on the op:
//   adj[operand[e]] += adj[k] * row[partial[e]]   for every operand position e of node k,
// where literal operands scatter into their constant row's adjoint, which nobody reads.
//
// Sort statements are the exception: rank r's local gradient is one-hot at the argument its
// rank takes, which is known per lane only. The k ranks of a group share one operand slice
// (O(k) operands, not O(k^2)); rank r owns the edge of operand position r, with partial 1, and
// a SortPermutation in each sweep moves the k values of the group's rows into rank order per
// lane (see SortPermutation). So a k-way sort costs O(k) edges and rows in every sweep.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "selgrad/program/program.hpp"

namespace selgrad::fast {

/// How an instruction's kernel is specialised: the op's usual arity known at compile time, or a
/// run-time count. A later rank of a sort statement does no work (its first rank writes them all).
enum class Shape : std::uint8_t {
  Any,      ///< the operand count is read at run time
  Fixed,    ///< the op's usual arity (fixed_arity(op): 2 for the n-ary add, mul, max, min)
  SortRank  ///< a later rank of a sort statement: written by the statement's first rank
};
inline constexpr std::size_t kShapes = 3;

/// The operand count the Fixed kernels of an op's rule are compiled for: its node arity when
/// fixed, else 2 (the binary add, mul, max, min).
template <class Rule>
constexpr std::size_t fixed_arity_of() {
  if constexpr (requires { Rule::node_arity; }) return Rule::node_arity;
  else return Rule::info.max_args >= 0 ? static_cast<std::size_t>(Rule::info.max_args) : 2;
}
std::size_t fixed_arity(Op op);

struct Instr {
  Op op;
  Shape shape;
  Cmp cmp;                 ///< Select only
  std::uint8_t computes;   ///< 1 if some partial is computed into a scratch row (see Tape)
  std::uint16_t count;     ///< number of operands (sort: group size k, every rank the same slice)
  std::uint16_t kernel;    ///< op * kShapes + shape: the index of its kernel
  std::uint32_t first;     ///< index of the first operand in Tape::operand / Tape::partial
  std::int32_t power;      ///< Powi: the exponent; SortGroup / SortRank: the node's rank r
  std::uint32_t selection; ///< index among the selection nodes (selection ops only)
  friend bool operator==(const Instr&, const Instr&) = default;
};

/// The per-lane routing of one sort group in a sweep. Rank r of a group (nodes lead + r) takes
/// the argument at position order[r] (its piece, recorded per lane by the forward pass), so
/// Algorithm 2 through the group is adj[arg order[r]] += adj[rank r]. The sweeps do it with
/// static edges between a group row and an argument of the same position (lead + j and
/// argument j, partial 1) and this step, which permutes the group's k rows lane by lane:
///   backward: row lead + order[r] <- adjoint of rank r (0 if rank r is not reached), before
///             the edges lead + j -> argument j;
///   forward:  row lead + r <- row lead + order[r], after the edges argument j -> lead + j.
struct SortPermutation {
  std::uint32_t at;         ///< runs before edge `at` of its edge list
  std::uint32_t lead;       ///< node of rank 0; the ranks are lead .. lead + size - 1
  std::uint32_t size;
  std::uint32_t selection;  ///< selection index of rank 0 (rank r's piece is at selection + r)
  std::vector<std::uint8_t> reached;  ///< backward: whether rank r is reached from the output
  friend bool operator==(const SortPermutation&, const SortPermutation&) = default;
};

/// Why a lane's evaluation is not valid (per-lane domain errors of the double engine).
/// The domain errors are the op rules' domain conditions (their texts come from the rules); the
/// four ops that have one each name theirs, and any other op's condition is `Domain`.
enum class LaneError : std::uint8_t {
  None,
  NanInput,         ///< an input is NaN or infinite
  DivisionByZero,   ///< div with divisor 0
  LogDomain,        ///< log of a value <= 0
  SqrtDomain,       ///< sqrt of a value <= 0
  NegativePowerOfZero,
  Overflow,         ///< a result is infinite or NaN from finite operands
  Discontinuous,    ///< select at u = v whose branches differ (D3)
  GradientOverflow, ///< finite values, but a Jacobian entry is not finite (reported at the output)
  Domain            ///< the domain condition of another op
};

/// One step of a backward sweep: adj[dst] (+)= adj[src] * row[partial]. `assign` marks the
/// first write to adj[dst] in the sweep, so no adjoint row needs zeroing beforehand.
struct ReverseStep {
  std::uint32_t dst, src, partial, assign;
  friend bool operator==(const ReverseStep&, const ReverseStep&) = default;
};

/// The same sweep as a list of ReverseStep, gathered by destination: node `dst[g]` receives the
/// terms `term[first[g] .. first[g+1])`, each a pair (row of the other adjoint or tangent, row of
/// the partial), in the order the edge list adds them. So one pass over the lanes computes a
/// node's whole sum and stores it once: dst = t0 + t1 + ..., left to right, is the edge list's
/// assign-then-accumulate, bit for bit. Destinations come in sweep order (decreasing nodes for a
/// backward sweep, increasing for a tangent sweep), after every node they read.
///
/// A node whose sum is a single term with partial 1 (an operand of add, the first of sub) would
/// be a copy, x * 1 = x exactly: it gets no row of its own, and its readers read the row it
/// copies. `result_row` says where the sweep's results are: for a backward sweep the row of each
/// input's adjoint (p entries), for a tangent sweep the row of each output's tangent (q entries).
struct GatheredSweep {
  struct Term {
    std::uint32_t src, partial;
  };
  /// A SortPermutation at destination `at` of the gathered sweep: reads row src[j] (kNoRow: the
  /// value 0) for position j, writes the group's own rows (see SortPermutation).
  struct Permutation {
    static constexpr std::uint32_t kNoRow = 0xffffffffu;
    std::uint32_t at, lead, size, selection;
    bool backward;
    std::vector<std::uint32_t> src;
  };
  std::vector<std::uint32_t> dst;
  std::vector<std::uint32_t> first;  ///< dst.size() + 1 offsets into `term`
  std::vector<Term> term;
  std::vector<std::uint32_t> result_row;
  std::vector<Permutation> permutations;  ///< in sweep order
};

/// A stretch of Tape::schedule whose nodes share one kernel and one dependency level
/// (so none of them reads another): the single-point path runs it as one loop.
struct Run {
  std::uint16_t kernel;      ///< the instructions' Instr::kernel
  std::uint32_t begin, end;  ///< schedule[begin .. end)
  friend bool operator==(const Run&, const Run&) = default;
};

/// The nodes' names, for messages: the name a node was given, or its fresh name "v<k>" kept as
/// the number k (a recorded program of a million nodes is named without a million strings).
class NodeNames {
 public:
  /// The next node's name (a fresh-form name "v<k>" is kept as k).
  void add(std::string_view name);
  /// The next node's name is "v<k>".
  void add_fresh(std::uint64_t k) { id_.push_back(k); }
  std::string operator[](std::size_t node) const;
  /// operator[] with a range check (std::out_of_range).
  std::string at(std::size_t node) const;
  std::size_t size() const { return id_.size(); }
  void reserve(std::size_t nodes) { id_.reserve(nodes); }
  friend bool operator==(const NodeNames& a, const NodeNames& b);

 private:
  static constexpr std::uint64_t kGiven = std::uint64_t{1} << 63;
  std::vector<std::uint64_t> id_;  ///< per node: k of "v<k>", or kGiven | index into given_
  std::vector<std::string> given_;
};

/// A compiled program. Built by compile(); immutable and shareable across threads.
struct Tape {
  std::uint32_t p = 0;          ///< inputs
  std::uint32_t m = 0;          ///< nodes (inputs included)
  std::uint32_t constants = 0;  ///< constant rows after the nodes (the literals, then 0, 1, -1)
  std::vector<Instr> code;      ///< code[k - p] computes node k
  std::vector<std::uint32_t> operand;  ///< operand rows of every instruction, concatenated
  std::vector<std::uint32_t> partial;  ///< row holding the partial for each operand position
  std::vector<double> constant_value;  ///< value of row m + i: literals rounded to nearest, then 0, 1, -1
  std::uint32_t scratch_base = 0;      ///< first scratch row
  std::uint32_t junk_row = 0;          ///< the last row: where a kernel writes a partial no one reads
  std::uint32_t rows = 0;              ///< total rows (nodes, constants, scratch, junk)
  std::vector<std::uint32_t> outputs;  ///< output node of each output, in order
  std::vector<std::uint32_t> selection_node;  ///< node of each selection (pieces are per selection)
  /// Per output j: Algorithm 2's backward sweep as a flat list of edges, nodes in decreasing
  /// order, only the nodes output j depends on, only operands that are nodes (math.md L1: the
  /// sweep never resets an adjoint once written).
  std::vector<std::vector<ReverseStep>> reverse;
  std::vector<std::vector<SortPermutation>> reverse_sorts;  ///< per output, in sweep order
  std::vector<std::vector<std::uint32_t>> reached_inputs;  ///< per output: inputs it depends on
  /// Algorithm 2's forward mode as a flat edge list, in node order: tangent[dst] (+)= tangent[src]
  /// * row[partial] over the node operands of every computed node (`assign` on the first).
  std::vector<ReverseStep> forward;
  std::vector<SortPermutation> forward_sorts;  ///< in node order
  std::uint32_t max_sort_size = 0;             ///< largest sort group (0: none)
  /// Computed nodes without node operands (all literals): their tangent is 0.
  std::vector<std::uint32_t> constant_nodes;
  /// A forward order for one point: the computed nodes by dependency level, and within a level
  /// grouped by kernel, so that an interpreter's dispatch runs through stretches of
  /// the same kernel (random op order makes every dispatch a branch misprediction). Any order that
  /// respects dependencies computes the same values; the backward sweep keeps node order.
  std::vector<std::uint32_t> schedule;
  std::vector<Run> runs;  ///< the schedule cut where the level or the kernel changes
  /// Selection nodes whose tie rule acts (program/tie_rule.hpp: Piece or Split), in node order,
  /// and their rules: applied after the forward pass, at the lanes decided at a tie.
  std::vector<std::uint32_t> ruled_nodes;
  std::vector<TieRule> ruled_rules;
  // Where each node comes from, for error messages.
  NodeNames name;                 ///< per node
  std::vector<std::uint32_t> line;
  std::vector<Op> op;             ///< per node: the program op (Input for inputs)

  std::size_t q() const { return outputs.size(); }
  std::uint32_t zero_row() const { return m + constants - 3; }
  std::uint32_t one_row() const { return m + constants - 2; }
  std::uint32_t minus_one_row() const { return m + constants - 1; }
  std::size_t operands() const { return operand.size(); }
  std::size_t selections() const { return selection_node.size(); }
};

/// Caps of compile(), checked before the memory they bound is allocated.
struct CompileLimits {
  /// Edges of all outputs' backward sweeps together (Tape::reverse, 16 bytes each, and as much
  /// again for a batch's gathered sweeps): q outputs over a deep program would otherwise need
  /// q times its edges (`selgrad grad --engine fast --max-sweep-edges`). Default 2^25.
  std::size_t max_sweep_edges = std::size_t{1} << 25;
};

/// Compiles a validated program. Literals are rounded to the nearest double (literal_to_double).
/// Throws Error (Resource) naming the output whose sweep exceeds CompileLimits::max_sweep_edges.
Tape compile(const Program& program, const CompileLimits& limits = {});

/// A literal's exact value rounded to the nearest double (ties to even), subnormals and
/// overflow to infinity included: one correct rounding (literal_to_double.cpp).
double literal_to_double(const Literal& literal);

/// Tape::reverse[j] (backward = true) or Tape::forward gathered by destination (see
/// GatheredSweep). The batch evaluator builds these once; the single point follows the edge lists.
GatheredSweep gather_sweep(const Tape& tape, bool backward, std::size_t output = 0);

/// "division by zero: divisor is 0", "argument <= 0, must be > 0", ... (for a domain error, the
/// wording of the op's rule; `Domain` alone has no op and says so).
const char* lane_error_text(LaneError e);

/// The lane error of a domain condition of `op`.
LaneError domain_lane_error(Op op);

/// Formats the error of node k the way selgrad::Error does: "log (line 7, node y): ...".
std::string describe_lane_error(const Tape& tape, std::uint32_t node, LaneError e);

}  // namespace selgrad::fast
