// The recorder's own tape: what recording an operation appends (selgrad/record.hpp).
//
// Recording must cost a few nanoseconds per operation, so it appends a fixed-size entry to a
// flat array and nothing else: no names, no literals, no per-node vectors. The Program is made
// from this tape once, by Recorder::program() (record/src/emit.cpp), through ProgramBuilder.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "selgrad/program/op.hpp"

namespace selgrad::detail {

/// An argument of a recorded operation. The top two bits say what the low 30 bits index: an
/// entry of the tape, a double of RecordTape::constants, or a symbolic constant (the process-wide
/// table of record/src/symbolic.hpp).
using Operand = std::uint32_t;
inline constexpr std::uint32_t kOperandEntry = 0u << 30;
inline constexpr std::uint32_t kOperandDouble = 1u << 30;
inline constexpr std::uint32_t kOperandSymbolic = 2u << 30;
inline constexpr std::uint32_t kOperandKindMask = 3u << 30;
inline constexpr std::uint32_t kOperandIndexMask = (1u << 30) - 1;
/// Largest entry or constant index a tape holds (about 1e9); one more is an Error (Resource).
inline constexpr std::uint32_t kMaxTapeIndex = kOperandIndexMask;

constexpr std::uint32_t operand_kind(Operand o) { return o & kOperandKindMask; }
constexpr std::uint32_t operand_index(Operand o) { return o & kOperandIndexMask; }

/// One recorded operation, 16 bytes.
///   unary op         a
///   binary op        a b
///   n-ary op (nary)  arena[a .. a+b)   (add, mul, max, min, lin: c0 c1 x1 c2 x2 ...)
///   powi             a, power = k
///   select           arena[a .. a+4) = u v a b, cmp
///   sort             arena[a .. a+b) shared by the group's entries, rank = c (the group's
///                    entries are consecutive, rank 0 first)
///   input            a = input number
struct TapeEntry {
  Op op = Op::Input;
  Cmp cmp = Cmp::Lt;
  std::uint8_t nary = 0;
  std::uint8_t unused = 0;
  std::uint32_t a = 0, b = 0;
  std::int32_t c = 0;
};
static_assert(sizeof(TapeEntry) == 16);

struct RecordTape {
  std::vector<TapeEntry> entries;
  std::vector<Operand> arena;      ///< arguments of n-ary, select and sort entries
  std::vector<double> constants;   ///< doubles used as arguments
  std::vector<std::uint32_t> inputs;       ///< the entry of input i
  std::vector<std::string> input_names;
  std::vector<Operand> outputs;
  std::vector<std::pair<std::uint32_t, std::string>> names;  ///< named entries
  std::unordered_set<std::string> taken;  ///< input names and names given to entries
};

}  // namespace selgrad::detail
