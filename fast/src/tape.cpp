// The tape compiler (see tape.hpp): one instruction per node, operand and partial rows.
#include "selgrad/fast/tape.hpp"

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

/// A literal beyond double's range has no double value: the first node that uses one is refused
/// (its constant would be infinite, and no IEEE flag would report the non-finite results).
void check_literals_finite(const Program& prog, const std::vector<double>& value) {
  bool all_finite = true;
  for (double v : value) all_finite = all_finite && std::isfinite(v);
  if (all_finite) return;
  for (const Node& n : prog.nodes)
    for (Arg a : n.args)
      if (!a.is_node() && !std::isfinite(value[a.index]))
        throw Error(ErrorKind::Domain, {n.line, 0, n.name, std::string(op_name(n.op))},
                    "literal " + prog.literals[a.index].text.substr(0, 64) +
                        " is beyond the range of double precision (|x| > 1.8e308)");
}

}  // namespace

Tape compile(const Program& prog, const CompileLimits& limits) {
  validate(prog);
  Tape t;
  t.p = static_cast<std::uint32_t>(prog.p());
  t.m = static_cast<std::uint32_t>(prog.m());
  t.outputs = prog.outputs;
  for (const auto& lit : prog.literals) t.constant_value.push_back(literal_to_double(lit));
  check_literals_finite(prog, t.constant_value);
  t.constant_value.insert(t.constant_value.end(), {0.0, 1.0, -1.0});
  t.constants = static_cast<std::uint32_t>(t.constant_value.size());
  t.name.reserve(prog.m());
  t.line.reserve(prog.m());
  t.op.reserve(prog.m());
  t.code.reserve(prog.m());
  for (const auto& n : prog.nodes) {
    t.name.push_back(n.name);
    t.line.push_back(n.line);
    t.op.push_back(n.op);
  }
  const auto row_of = [&](Arg a) { return a.is_node() ? a.index : t.m + a.index; };
  const std::uint32_t zero = t.m + t.constants - 3, one = zero + 1, minus_one = zero + 2;

  // Partials that need computing get scratch rows, numbered after every constant row; they are
  // offset by scratch_base at the end, once the count of constant rows is final.
  std::vector<bool> is_scratch;
  std::uint32_t scratch = 0;
  std::vector<Sym> forms, forms_scratch;
  for (std::uint32_t k = t.p; k < t.m; ++k) {
    const Node& n = prog.nodes[k];
    if (n.op == Op::Sort && k != n.group_first) {
      // A later rank: the group's operand slice, no operands or partials of its own.
      Instr in = t.code[n.group_first - t.p];
      in.shape = Shape::SortRank;
      in.kernel = static_cast<std::uint16_t>(static_cast<std::size_t>(Op::Sort) * kShapes +
                                             static_cast<std::size_t>(Shape::SortRank));
      in.power = static_cast<std::int32_t>(k - n.group_first);
      in.selection = static_cast<std::uint32_t>(t.selection_node.size());
      t.selection_node.push_back(k);
      t.code.push_back(in);
      continue;
    }
    Instr in{};
    in.op = n.op;
    in.cmp = n.cmp;
    in.count = static_cast<std::uint16_t>(n.args.size());
    if (n.args.size() > 0xffff)
      throw Error(ErrorKind::Program, {n.line, 0, n.name, std::string(op_name(n.op))},
                  "the double engine takes at most 65535 arguments per node");
    in.shape = n.args.size() == fixed_arity(n.op) && n.op != Op::Sort ? Shape::Fixed : Shape::Any;
    in.kernel = static_cast<std::uint16_t>(static_cast<std::size_t>(n.op) * kShapes + static_cast<std::size_t>(in.shape));
    in.first = static_cast<std::uint32_t>(t.operand.size());
    in.power = static_cast<std::int32_t>(n.power);
    if (op_info(n.op).selection) {
      in.selection = static_cast<std::uint32_t>(t.selection_node.size());
      t.selection_node.push_back(k);
      if (n.tie.changes_ties()) {
        t.ruled_nodes.push_back(k);
        t.ruled_rules.push_back(n.tie);
      }
    }
    if (n.op == Op::Sort) {
      in.power = 0;  // rank 0
      t.max_sort_size = std::max(t.max_sort_size, static_cast<std::uint32_t>(n.args.size()));
    }
    for (Arg a : n.args) t.operand.push_back(row_of(a));
    // Partial rows, per operand position, as the rule says (see the file comment of tape.hpp):
    // a partial that is an argument, the value or a constant 0, 1, -1 whatever the piece reads
    // that row; any other gets a scratch row the kernel writes. A sort statement's partials are
    // one-hot (rules::Sort::one_hot_at): position j's edge has partial 1, after the sweep's
    // permutation (SortPermutation).
    partial_forms(n, forms, forms_scratch);
    if (n.op == Op::Sort) forms.assign(forms.size(), Sym::of_constant(1));
    for (std::size_t i = 0; i < forms.size(); ++i) {
      const Sym& f = forms[i];
      std::uint32_t row = 0;
      bool computed = false;
      if (f.kind == Sym::Kind::Arg) row = row_of(n.args[f.arg]);
      else if (f.kind == Sym::Kind::Value) row = k;
      else if (f.is_constant(0)) row = zero;
      else if (f.is_constant(1)) row = one;
      else if (f.is_constant(-1)) row = minus_one;
      else computed = true;
      if (computed) row = scratch++;
      t.partial.push_back(row);
      is_scratch.push_back(computed);
      in.computes |= computed ? 1 : 0;
    }
    t.code.push_back(in);
  }
  t.scratch_base = t.m + t.constants;
  for (std::size_t e = 0; e < t.partial.size(); ++e)
    if (is_scratch[e]) t.partial[e] += t.scratch_base;
  t.junk_row = t.scratch_base + scratch;
  t.rows = t.junk_row + 1;
  build_reverse(t, limits);
  build_forward(t);
  build_schedule(t);
  return t;
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
