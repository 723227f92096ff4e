// first_failure (declared in evaluate.hpp): the slow path that explains a failed evaluation.
#pragma once

#include <cmath>
#include <utility>

namespace selgrad::fast {

template <class Value>
std::pair<std::uint32_t, LaneError> first_failure(const Tape& t, Value&& value, std::uint32_t last) {
  for (std::uint32_t i = 0; i < t.p; ++i)
    if (!std::isfinite(value(i))) return {i, LaneError::NanInput};
  for (std::uint32_t k = t.p; k <= last && k < t.m; ++k) {
    const Instr& in = t.code[k - t.p];
    const auto arg = [&](std::uint32_t j) { return value(t.operand[in.first + j]); };
    switch (in.code) {
      case Code::Div:
        if (arg(1) == 0) return {k, LaneError::DivisionByZero};
        break;
      case Code::Log:
        if (!(arg(0) > 0)) return {k, LaneError::LogDomain};
        break;
      case Code::Sqrt:
        if (!(arg(0) > 0)) return {k, LaneError::SqrtDomain};
        break;
      case Code::Powi:
        if (in.power < 0 && arg(0) == 0) return {k, LaneError::NegativePowerOfZero};
        break;
      case Code::Select:
        if (arg(0) == arg(1) && arg(2) != arg(3)) return {k, LaneError::Discontinuous};
        break;
      default: break;
    }
    if (!std::isfinite(value(k))) return {k, LaneError::Overflow};
  }
  return {kNoError, LaneError::None};
}

}  // namespace selgrad::fast
