// The tape compiler (see tape.hpp): one instruction per node, operand and partial rows.
#include "selgrad/fast/tape.hpp"

#include <cstring>
#include <stdexcept>

#include "selgrad/fast/detail/tape_builder.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "selgrad/program/error.hpp"
#include "selgrad/program/mutant.hpp"
#include "selgrad/program/op_rules.hpp"

namespace selgrad::fast {
std::size_t fixed_arity(Op op) {
  return rules::visit(op, [](auto r) { return fixed_arity_of<decltype(r)>(); });
}

namespace {

/// The operand positions of an instruction that carry an edge of Algorithm 2: all of them, or
/// for a sort rank only its own position r (see SortPermutation).
std::pair<std::uint32_t, std::uint32_t> edge_range(const Instr& in) {
  if (in.op == Op::Sort) {
    const auto e = in.first + static_cast<std::uint32_t>(in.power);
    return {e, e + 1};
  }
  return {in.first, in.first + in.count};
}

/// An edge list gathered by destination (see GatheredSweep): destinations in decreasing order for
/// a backward sweep, increasing for a tangent sweep; each destination's terms in edge order; a
/// destination that would copy one row (one term, partial `one`) is folded into that row.
/// `results`: the nodes whose rows the caller reads.
/// `sorts`: the sweep's sort permutations, in sweep order; each is placed before the first
/// destination outside its group's rows and after every one inside (decreasing: below lead;
/// increasing: past lead + size), reading the rows its group's rows alias at that point, and
/// resetting those aliases: after it, the group's rows hold their own values.
GatheredSweep gather(const std::vector<ReverseStep>& steps, std::uint32_t rows, bool decreasing, std::uint32_t one,
                     const std::vector<std::uint32_t>& results, const std::vector<SortPermutation>& sorts) {
  std::vector<std::uint32_t> count(rows, 0), at(rows, 0), alias(rows);
  for (const ReverseStep& s : steps) ++count[s.dst];
  std::vector<GatheredSweep::Term> term(steps.size());
  std::vector<std::uint32_t> order;  // destinations in sweep order
  std::uint32_t offset = 0;
  for (std::uint32_t i = 0; i < rows; ++i) {
    const std::uint32_t r = decreasing ? rows - 1 - i : i;
    alias[r] = r;
    if (count[r] == 0) continue;
    order.push_back(r);
    at[r] = offset;
    offset += count[r];
  }
  for (const ReverseStep& s : steps) term[at[s.dst]++] = {s.src, s.partial};
  GatheredSweep g;
  std::size_t next_sort = 0;
  const auto place_sorts = [&](std::uint32_t r, bool all) {
    for (; next_sort < sorts.size(); ++next_sort) {
      const SortPermutation& s = sorts[next_sort];
      if (!all && (decreasing ? r >= s.lead : r < s.lead + s.size)) break;
      GatheredSweep::Permutation perm{static_cast<std::uint32_t>(g.dst.size()), s.lead, s.size, s.selection,
                                      decreasing, {}};
      for (std::uint32_t j = 0; j < s.size; ++j)
        perm.src.push_back(decreasing && !s.reached[j] ? GatheredSweep::Permutation::kNoRow : alias[s.lead + j]);
      for (std::uint32_t j = 0; j < s.size; ++j) alias[s.lead + j] = s.lead + j;
      g.permutations.push_back(std::move(perm));
    }
  };
  for (std::uint32_t r : order) {
    place_sorts(r, false);
    const std::uint32_t begin = at[r] - count[r];
    // Every row a term reads is an earlier destination (or a seed), already resolved.
    for (std::uint32_t e = begin; e < at[r]; ++e) term[e].src = alias[term[e].src];
    // mutant 34: a term through the -1 row (the row after `one`) is folded as a copy too
    const bool copy = term[begin].partial == one || (SELGRAD_MUTANT(34) && term[begin].partial == one + 1);
    if (count[r] == 1 && copy) {
      alias[r] = term[begin].src;
      continue;
    }
    g.dst.push_back(r);
    g.first.push_back(static_cast<std::uint32_t>(g.term.size()));
    g.term.insert(g.term.end(), term.begin() + begin, term.begin() + at[r]);
  }
  place_sorts(0, true);
  g.first.push_back(static_cast<std::uint32_t>(g.term.size()));
  for (std::uint32_t r : results) g.result_row.push_back(alias[r]);
  return g;
}

/// The forward-mode edge list (see Tape::forward).
void build_forward(Tape& t) {
  for (std::uint32_t k = t.p; k < t.m; ++k) {
    const Instr& in = t.code[k - t.p];
    bool first = true;
    const auto [begin, end] = edge_range(in);
    for (std::uint32_t e = begin; e < end; ++e) {
      if (t.operand[e] >= t.m) continue;  // a literal: zero tangent
      t.forward.push_back({k, t.operand[e], t.partial[e], first ? 1u : 0u});
      first = false;
    }
    if (first) t.constant_nodes.push_back(k);
    // After the group's last rank: its rows hold the arguments' tangents by position; permute
    // them into rank order.
    if (in.op == Op::Sort && static_cast<std::uint32_t>(in.power) + 1u == in.count) {
      const std::uint32_t lead = k - static_cast<std::uint32_t>(in.power);
      t.forward_sorts.push_back({static_cast<std::uint32_t>(t.forward.size()), lead, in.count,
                                 t.code[lead - t.p].selection, {}});
    }
  }
}

/// Tape::schedule: nodes sorted by (level, kernel), where level = 1 + the largest operand level.
void build_schedule(Tape& t) {
  std::vector<std::uint32_t> level(t.m, 0);
  for (std::uint32_t k = t.p; k < t.m; ++k) {
    const Instr& in = t.code[k - t.p];
    if (in.shape == Shape::SortRank) {  // written by its group's lead: the lead's level
      level[k] = level[k - static_cast<std::uint32_t>(in.power)];
      continue;
    }
    std::uint32_t lv = 0;
    for (std::uint32_t e = in.first; e < in.first + in.count; ++e)
      if (t.operand[e] < t.m) lv = std::max(lv, level[t.operand[e]] + 1);
    level[k] = lv;
  }
  // Two stable counting sorts (by kernel, then by level): O(m), where a comparison sort of the
  // pairs cost more than the rest of compile() together.
  const auto counting_sort = [](std::vector<std::uint32_t>& nodes, auto key, std::uint32_t range) {
    std::vector<std::uint32_t> start(range + 1, 0), out(nodes.size());
    for (std::uint32_t k : nodes) ++start[key(k) + 1];
    for (std::uint32_t r = 0; r < range; ++r) start[r + 1] += start[r];
    for (std::uint32_t k : nodes) out[start[key(k)]++] = k;
    nodes.swap(out);
  };
  std::uint32_t max_level = 0;
  for (std::uint32_t k = t.p; k < t.m; ++k) {
    t.schedule.push_back(k);
    max_level = std::max(max_level, level[k]);
  }
  counting_sort(t.schedule, [&](std::uint32_t k) { return std::uint32_t{t.code[k - t.p].kernel}; },
                static_cast<std::uint32_t>(kOpCount * kShapes));
  counting_sort(t.schedule, [&](std::uint32_t k) { return level[k]; }, max_level + 1);
  for (std::uint32_t i = 0; i < t.schedule.size(); ++i) {
    const std::uint32_t k = t.schedule[i];
    const std::uint16_t kernel = t.code[k - t.p].kernel;
    if (t.runs.empty() || t.runs.back().kernel != kernel || level[t.schedule[i - 1]] != level[k])
      t.runs.push_back({kernel, i, i + 1});
    else
      t.runs.back().end = i + 1;
  }
}

/// The backward sweep of each output as a flat edge list (see Tape::reverse).
void build_reverse(Tape& t, const CompileLimits& limits) {
  std::size_t edges = 0;  // of all outputs so far
  std::vector<std::uint8_t> reach(t.m), written(t.m);
  for (std::uint32_t out : t.outputs) {
    std::fill(reach.begin(), reach.end(), 0);
    std::fill(written.begin(), written.end(), 0);
    reach[out] = written[out] = 1;  // the seed adj[out] = 1
    std::vector<ReverseStep> steps;
    std::vector<SortPermutation> sorts;
    std::vector<std::uint32_t> inputs;
    for (std::uint32_t k = t.m; k-- > 0;) {
      const Instr* in = k < t.p ? nullptr : &t.code[k - t.p];
      if (in && in->op == Op::Sort && static_cast<std::uint32_t>(in->power) + 1u == in->count) {
        // The group's last rank, met first: every rank's adjoint is complete (ranks do not read
        // each other). If any rank is reached, permute the group's rows into argument order
        // and give every rank its edge (an unreached rank carries the adjoint 0).
        const std::uint32_t lead = k - static_cast<std::uint32_t>(in->power);
        SortPermutation perm{static_cast<std::uint32_t>(steps.size()), lead, in->count,
                             t.code[lead - t.p].selection, std::vector<std::uint8_t>(reach.begin() + lead, reach.begin() + k + 1)};
        if (std::find(perm.reached.begin(), perm.reached.end(), 1) != perm.reached.end()) {
          for (std::uint32_t r = lead; r <= k; ++r) reach[r] = written[r] = 1;
          sorts.push_back(std::move(perm));
        }
      }
      if (!reach[k]) continue;
      if (k < t.p) {
        inputs.push_back(k);
        continue;
      }
      const auto [begin, end] = edge_range(*in);
      for (std::uint32_t e = begin; e < end; ++e) {
        const std::uint32_t dst = t.operand[e];
        if (dst >= t.m) continue;  // a constant: its adjoint is never read
        if (++edges > limits.max_sweep_edges) {
          const std::uint32_t o = t.outputs[t.reverse.size()];
          throw Error(ErrorKind::Resource, {t.line[o], 0, t.name[o], std::string(op_name(t.op[o]))},
                      "the backward sweeps of the outputs up to this one need more than " +
                          std::to_string(limits.max_sweep_edges) +
                          " edges (raise it with --max-sweep-edges or CompileLimits::max_sweep_edges)");
        }
        steps.push_back({dst, k, t.partial[e], written[dst] ? 0u : 1u});
        reach[dst] = written[dst] = 1;
      }
    }
    t.reverse.push_back(std::move(steps));
    t.reverse_sorts.push_back(std::move(sorts));
    t.reached_inputs.push_back(std::move(inputs));
  }
}

}  // namespace

// ---- NodeNames ------------------------------------------------------------------------------

void NodeNames::add(std::string_view name) {
  if (const auto k = fresh_name_number(name); k && *k < kGiven) {
    id_.push_back(*k);
    return;
  }
  id_.push_back(kGiven | given_.size());
  given_.emplace_back(name);
}

std::string NodeNames::operator[](std::size_t node) const {
  const std::uint64_t id = id_[node];
  return id & kGiven ? given_[id & ~kGiven] : "v" + std::to_string(id);
}

std::string NodeNames::at(std::size_t node) const {
  if (node >= id_.size()) throw std::out_of_range("NodeNames::at: node " + std::to_string(node));
  return (*this)[node];
}

bool operator==(const NodeNames& a, const NodeNames& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (a[k] != b[k]) return false;
  return true;
}

// ---- TapeBuilder ----------------------------------------------------------------------------

namespace detail {
namespace {

// Provisional rows while building (see tape_builder.hpp): a node's own index, a constant
// (kConstantTag | index; 0, 1 and -1 after the last literal), or a scratch row (kScratchTag |
// index). build() resolves them once the node count is final.
constexpr std::uint32_t kConstantTag = 1u << 31, kScratchTag = 1u << 30, kIndexMask = kScratchTag - 1;
constexpr std::uint32_t kZero = kConstantTag | (kIndexMask - 2), kOne = kZero + 1, kMinusOne = kZero + 2;
/// Nodes, constants and scratch rows are each below 2^30 - 3 (the tags' room).
constexpr std::size_t kMaxRows = kIndexMask - 3;

std::uint64_t bits_of(double v) {
  if (v == 0) v = 0;  // -0 is the literal 0
  std::uint64_t bits;
  std::memcpy(&bits, &v, sizeof v);
  return bits;
}

}  // namespace

TapeBuilder::TapeBuilder(CompileLimits limits, bool claim_names) : limits_(limits), claim_names_(claim_names) {}

void TapeBuilder::fail(ErrorKind kind, std::string_view name, const NodeHead& head, const std::string& why) const {
  throw Error(kind, {head.line, 0, std::string(name), std::string(op_name(head.op))}, why);
}

void TapeBuilder::check_room(std::string_view name, const NodeHead& head, std::size_t nodes) const {
  if (tape_.m + nodes > kMaxRows)
    fail(ErrorKind::Resource, name, head, "the double engine takes at most " + std::to_string(kMaxRows) + " nodes");
}

void TapeBuilder::name_next(std::string_view name, const NodeHead& head) {
  if (!claim_names_) {
    tape_.name.add(name);
  } else if (name.empty()) {
    tape_.name.add_fresh(claims_.claim_fresh());
  } else {
    if (auto why = claims_.claim(std::string(name))) fail(ErrorKind::Program, name, head, *why);
    tape_.name.add(name);
  }
  tape_.line.push_back(head.line);
  tape_.op.push_back(head.op);
}

Arg TapeBuilder::input(std::string name) {
  const NodeHead head;
  if (tape_.m != tape_.p) fail(ErrorKind::Program, name, head, "an input after a computed node");
  check_room(name, head, 1);
  name_next(name, head);
  ++tape_.p;
  return Arg::node(tape_.m++);
}

Arg TapeBuilder::constant(const Literal& value) {
  if (literal_.size() >= kMaxRows)
    throw Error(ErrorKind::Resource, {}, "the double engine takes at most " + std::to_string(kMaxRows) + " constants");
  const double v = literal_to_double(value);
  if (!std::isfinite(v)) beyond_range_.emplace(static_cast<std::uint32_t>(literal_.size()), value.text.substr(0, 64));
  literal_.push_back(v);
  return Arg::literal(static_cast<std::uint32_t>(literal_.size() - 1));
}

Arg TapeBuilder::literal(double value) {
  if (!std::isfinite(value))
    throw Error(ErrorKind::Program, {}, "a literal must be finite, got " + std::to_string(value));
  const std::uint64_t bits = bits_of(value);
  if (const auto it = by_bits_.find(bits); it != by_bits_.end()) return Arg::literal(it->second);
  const Arg a = constant(*Literal::from_double(value == 0 ? 0.0 : value));
  by_bits_.emplace(bits, a.index);
  return a;
}

Arg TapeBuilder::literal(const Literal& value) {
  // ProgramBuilder shares literals by exact value: a literal that is a double shares the
  // double's constant, any other is keyed by its fraction.
  const double v = literal_to_double(value);
  if (std::isfinite(v) && *Literal::from_double(v) == value) return literal(v);
  std::string key = value.as_fraction();
  if (const auto it = by_fraction_.find(key); it != by_fraction_.end()) return Arg::literal(it->second);
  const Arg a = constant(value);
  by_fraction_.emplace(std::move(key), a.index);
  return a;
}

std::uint32_t TapeBuilder::operand_row(const NodeHead& head, std::uint32_t node, std::span<const Arg> args,
                                       std::size_t i) {
  const Arg a = args[i];
  const auto name = [&] { return tape_.name[node]; };  // made only for a message
  if (a.is_node() ? a.index >= tape_.m : a.index >= literal_.size())
    fail(ErrorKind::Program, name(), head,
         "argument " + std::to_string(i + 1) + " is not an earlier node or a literal");
  if (a.is_node()) {
    if (literal_only_position(head.op, i, args.size()))
      fail(ErrorKind::Program, name(), head, std::string(literal_positions_name(head.op)) + " must be literals");
    return a.index;
  }
  // A literal beyond double's range has no double value: the first node that uses one is refused
  // (its constant would be infinite, and no IEEE flag would report the non-finite results).
  if (const auto it = beyond_range_.find(a.index); it != beyond_range_.end())
    fail(ErrorKind::Domain, name(), head,
         "literal " + it->second + " is beyond the range of double precision (|x| > 1.8e308)");
  return kConstantTag | a.index;
}

const std::vector<Sym>& TapeBuilder::partial_forms_of(Op op, std::size_t count, const NodeHead& head) {
  // The forms depend on the op, the argument count, powi's exponent and select's comparison
  // only: read off the rule once per (op, count, comparison) for the common short nodes.
  const bool cached = op != Op::Powi && count < kFormCacheArity;
  const std::size_t key =
      (static_cast<std::size_t>(op) * kFormCacheArity + count) * kCmpCount + static_cast<std::size_t>(head.cmp);
  if (cached && form_cache_[key].known) return form_cache_[key].forms;
  partial_forms(op, HeadShape{count, head.power, head.cmp}, forms_, forms_scratch_);
  if (!cached) return forms_;
  form_cache_[key] = {true, forms_};
  return form_cache_[key].forms;
}

Arg TapeBuilder::add(std::string_view given, const NodeHead& head, std::span<const Arg> args) {
  const Op op = head.op;
  if (static_cast<std::size_t>(op) >= kOpCount || op == Op::Input || op == Op::Sort)
    fail(ErrorKind::Program, given, head, "add() builds single-result ops; use input() or add_sort()");
  check_room(given, head, 1);
  if (tape_.operand.size() + args.size() > UINT32_MAX)
    fail(ErrorKind::Resource, given, head, "the double engine takes at most 2^32 - 1 operands in all");
  name_next(given, head);  // first, so that an error names the node as the program would
  const std::uint32_t k = tape_.m;
  const auto name = [&] { return tape_.name[k]; };  // made only for a message
  if (op == Op::Powi ? args.size() != 1 : !arity_fits(op, args.size()))
    fail(ErrorKind::Program, name(), head,
         op == Op::Powi ? "powi has one argument (k is its power)" : *arity_error(op, args.size()));
  if (op == Op::Powi && (head.power < -kMaxPowiExponent || head.power > kMaxPowiExponent))
    fail(ErrorKind::Program, name(), head, "powi exponent out of range");
  if (args.size() > 0xffff)
    fail(ErrorKind::Program, name(), head, "the double engine takes at most 65535 arguments per node");
  Instr in{};
  in.op = op;
  in.cmp = head.cmp;
  in.count = static_cast<std::uint16_t>(args.size());
  in.shape = args.size() == fixed_arity(op) ? Shape::Fixed : Shape::Any;
  in.kernel = static_cast<std::uint16_t>(static_cast<std::size_t>(op) * kShapes + static_cast<std::size_t>(in.shape));
  in.first = static_cast<std::uint32_t>(tape_.operand.size());
  in.power = static_cast<std::int32_t>(head.power);
  if (op_info(op).selection) {
    in.selection = static_cast<std::uint32_t>(tape_.selection_node.size());
    tape_.selection_node.push_back(k);
    if (head.tie.changes_ties()) {
      tape_.ruled_nodes.push_back(k);
      tape_.ruled_rules.push_back(head.tie);
    }
  }
  for (std::size_t i = 0; i < args.size(); ++i) tape_.operand.push_back(operand_row(head, k, args, i));
  // Partial rows, per operand position, as the rule says (see the file comment of tape.hpp): a
  // partial that is an argument, the value or a constant 0, 1, -1 whatever the piece reads that
  // row; any other gets a scratch row the kernel writes.
  const std::vector<Sym>& forms = partial_forms_of(op, args.size(), head);
  for (std::size_t i = 0; i < forms.size(); ++i) {
    const Sym& f = forms[i];
    std::uint32_t row;
    if (f.kind == Sym::Kind::Arg) row = tape_.operand[in.first + f.arg];
    else if (f.kind == Sym::Kind::Value) row = k;
    else if (f.is_constant(0)) row = kZero;
    else if (f.is_constant(1)) row = kOne;
    else if (f.is_constant(-1)) row = kMinusOne;
    else {
      row = kScratchTag | scratch_++;
      in.computes = 1;
    }
    tape_.partial.push_back(row);
  }
  tape_.code.push_back(in);
  ++tape_.m;
  return Arg::node(k);
}

std::vector<Arg> TapeBuilder::add_sort(std::span<const std::string> names, std::span<const Arg> args,
                                       std::uint32_t line) {
  NodeHead head;
  head.op = Op::Sort;
  head.line = line;
  const auto name_of = [&](std::size_t r) { return names.empty() ? std::string_view() : std::string_view(names[r]); };
  if (args.empty() || (!names.empty() && names.size() != args.size()))
    fail(ErrorKind::Program, name_of(0), head, "sort takes one name per argument and at least one argument");
  check_room(name_of(0), head, args.size());
  const std::uint32_t lead = tape_.m;
  // Every rank is named first, so that an error names the lead as the program would.
  for (std::size_t r = 0; r < args.size(); ++r) name_next(name_of(r), head);
  if (args.size() > 0xffff)
    fail(ErrorKind::Program, tape_.name[lead], head, "the double engine takes at most 65535 arguments per node");
  Instr in{};
  in.op = Op::Sort;
  in.count = static_cast<std::uint16_t>(args.size());
  in.shape = Shape::Any;
  in.kernel = static_cast<std::uint16_t>(static_cast<std::size_t>(Op::Sort) * kShapes);
  in.first = static_cast<std::uint32_t>(tape_.operand.size());
  tape_.max_sort_size = std::max(tape_.max_sort_size, static_cast<std::uint32_t>(args.size()));
  for (std::size_t i = 0; i < args.size(); ++i) tape_.operand.push_back(operand_row(head, lead, args, i));
  // A sort statement's partials are one-hot (rules::Sort::one_hot_at): position j's edge has
  // partial 1, after the sweep's permutation (SortPermutation).
  tape_.partial.insert(tape_.partial.end(), args.size(), kOne);
  std::vector<Arg> ranks;
  ranks.reserve(args.size());
  for (std::uint32_t r = 0; r < args.size(); ++r) {
    if (r > 0) {  // a later rank: the group's operand slice, no operands or partials of its own
      in.shape = Shape::SortRank;
      in.kernel = static_cast<std::uint16_t>(static_cast<std::size_t>(Op::Sort) * kShapes +
                                             static_cast<std::size_t>(Shape::SortRank));
    }
    in.power = static_cast<std::int32_t>(r);
    in.selection = static_cast<std::uint32_t>(tape_.selection_node.size());
    tape_.selection_node.push_back(lead + r);
    tape_.code.push_back(in);
    ranks.push_back(Arg::node(tape_.m++));
  }
  return ranks;
}

Arg TapeBuilder::node(std::string name, Op op, const std::vector<Arg>& args) {
  NodeHead head;
  head.op = op;
  return add(name, head, args);
}

Arg TapeBuilder::powi(std::string name, Arg a, std::int64_t k) {
  NodeHead head;
  head.op = Op::Powi;
  head.power = k;
  const Arg args[] = {a};
  return add(name, head, args);
}

Arg TapeBuilder::select(std::string name, Cmp c, Arg u, Arg v, Arg a, Arg b) {
  NodeHead head;
  head.op = Op::Select;
  head.cmp = SELGRAD_MUTANT(70) ? Cmp::Lt : c;  // mutant 70: the direct route drops the comparison
  const Arg args[] = {u, v, a, b};
  return add(name, head, args);
}

std::vector<Arg> TapeBuilder::sort(std::vector<std::string> names, const std::vector<Arg>& args) {
  return add_sort(names, args, 0);
}

void TapeBuilder::output(Arg a) {
  if (!a.is_node() || a.index >= tape_.m) throw Error(ErrorKind::Program, {}, "an output must be a node of this program");
  tape_.outputs.push_back(a.index);
}

void TapeBuilder::reserve(std::size_t nodes) {
  tape_.code.reserve(tape_.code.size() + nodes);
  tape_.operand.reserve(tape_.operand.size() + 2 * nodes);
  tape_.partial.reserve(tape_.partial.size() + 2 * nodes);
  tape_.name.reserve(tape_.name.size() + nodes);
  tape_.line.reserve(tape_.line.size() + nodes);
  tape_.op.reserve(tape_.op.size() + nodes);
}

Tape TapeBuilder::build() {
  if (tape_.p == 0) throw Error(ErrorKind::Program, {}, "program has no inputs (p = 0)");
  if (tape_.outputs.empty()) throw Error(ErrorKind::Program, {}, "program has no outputs (q = 0)");
  Tape t = std::move(tape_);
  t.constant_value = std::move(literal_);
  t.constant_value.insert(t.constant_value.end(), {0.0, 1.0, -1.0});
  t.constants = static_cast<std::uint32_t>(t.constant_value.size());
  t.scratch_base = t.m + t.constants;
  t.junk_row = t.scratch_base + scratch_;
  t.rows = t.junk_row + 1;
  const std::uint32_t zero = t.m + t.constants - 3;
  const auto resolve = [&](std::uint32_t& row) {
    if (row & kConstantTag) row = row >= kZero ? zero + (row - kZero) : t.m + (row & ~kConstantTag);
    else if (row & kScratchTag) row = t.scratch_base + (row & kIndexMask);
  };
  for (std::uint32_t& row : t.operand) resolve(row);
  for (std::uint32_t& row : t.partial) resolve(row);
  build_reverse(t, limits_);
  build_forward(t);
  build_schedule(t);
  *this = TapeBuilder(limits_, claim_names_);
  return t;
}

}  // namespace detail

Tape compile(const Program& prog, const CompileLimits& limits) {
  validate(prog);
  detail::TapeBuilder b(limits, /*claim_names=*/false);
  b.reserve(prog.m());
  for (const Literal& lit : prog.literals) b.constant(lit);  // constant i is literal i
  for (std::uint32_t k = 0; k < prog.p(); ++k) b.input(prog.nodes[k].name);
  std::vector<std::string> names;
  for (std::uint32_t k = static_cast<std::uint32_t>(prog.p()); k < prog.m(); ++k) {
    const Node& n = prog.nodes[k];
    if (n.op == Op::Sort) {
      if (k != n.group_first) continue;  // the lead added the whole statement
      names.clear();
      for (std::uint32_t r = 0; r < n.group_size; ++r) names.push_back(prog.nodes[k + r].name);
      b.add_sort(names, n.args.vector(), n.line);
      continue;
    }
    b.add(n.name, detail::NodeHead{n.op, n.cmp, n.power, n.tie, n.line}, n.args.vector());
  }
  for (std::uint32_t o : prog.outputs) b.output(Arg::node(o));
  return b.build();
}

GatheredSweep gather_sweep(const Tape& t, bool backward, std::size_t output) {
  if (!backward) return gather(t.forward, t.m, false, t.one_row(), t.outputs, t.forward_sorts);
  std::vector<std::uint32_t> inputs(t.p);
  for (std::uint32_t i = 0; i < t.p; ++i) inputs[i] = i;
  return gather(t.reverse.at(output), t.m, true, t.one_row(), inputs, t.reverse_sorts.at(output));
}

namespace {

/// The ops whose domain condition has a lane error of its own (see LaneError).
struct NamedDomainError {
  Op op;
  LaneError error;
};
constexpr NamedDomainError kNamedDomainErrors[] = {{Op::Div, LaneError::DivisionByZero},
                                                   {Op::Log, LaneError::LogDomain},
                                                   {Op::Sqrt, LaneError::SqrtDomain},
                                                   {Op::Powi, LaneError::NegativePowerOfZero}};

/// The rule's wording of `op`'s domain condition, without a value (Powi: the k < 0 condition).
std::string domain_text(Op op) {
  Node n;
  n.op = op;
  n.power = -1;
  n.args.resize(static_cast<std::size_t>(std::max(op_info(op).min_args, 1)));
  const auto c = domain_condition(n);
  return c ? domain_message(*c) : std::string("outside the domain");
}

}  // namespace

LaneError domain_lane_error(Op op) {
  for (const auto& e : kNamedDomainErrors)
    if (e.op == op) return e.error;
  return LaneError::Domain;
}

const char* lane_error_text(LaneError e) {
  static const auto named = [] {
    std::vector<std::pair<LaneError, std::string>> v;
    for (const auto& d : kNamedDomainErrors) v.emplace_back(d.error, domain_text(d.op));
    return v;
  }();
  for (const auto& [error, text] : named)
    if (error == e) return text.c_str();
  switch (e) {
    case LaneError::None: return "no error";
    case LaneError::NanInput: return "input is NaN or infinite";
    case LaneError::Overflow: return "overflow: the value is not finite in double precision";
    case LaneError::Discontinuous: return "discontinuous selection: u = v here but the branches differ (D3)";
    case LaneError::GradientOverflow: return "overflow: a Jacobian entry is not finite in double precision";
    case LaneError::Domain: return "outside the op's domain";
    default: return "?";
  }
}

std::string describe_lane_error(const Tape& t, std::uint32_t node, LaneError e) {
  Location where;
  where.line = t.line.at(node);
  where.node = t.name.at(node);
  where.op = std::string(op_name(t.op.at(node)));
  const bool domain = e == LaneError::Domain || domain_lane_error(t.op.at(node)) == e;
  return format_error(where, domain && e != LaneError::None ? domain_text(t.op.at(node)) : lane_error_text(e));
}

}  // namespace selgrad::fast
