// The property registry: every claim of docs/math.md registers one or more RapidCheck
// properties here, under an ID that starts with the claim's ID ("L1.matrix", "P2.affine").
//
// A property is registered once, at static initialisation, with the number of cases it runs in
// CI (its budget). main.cpp selects, scales and runs them; see properties/README.md.
#pragma once

#include <rapidcheck.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace selgrad::properties {

struct PropertyDef {
  std::string id;           ///< "<claim>.<variant>", e.g. "P2.affine"
  std::string description;  ///< one line: what is checked
  int cases = 100;          ///< cases per CI run (the budget); --cases / --scale override
  int max_size = 100;       ///< RapidCheck's size ramps from 0 to this over the cases
  /// One case: draws its values (`*gen`), asserts with RC_ASSERT / RC_FAIL, discards with
  /// RC_PRE / RC_DISCARD. main.cpp turns it into a RapidCheck property.
  std::function<void()> body;
};

/// Every registered property, in registration order (sorted by id before running).
std::vector<PropertyDef>& registry();

/// The claim part of an id: "P2.affine" -> "P2".
std::string claim_of(const std::string& id);

/// Registers a property at static initialisation:
///   static const Register reg("L1.matrix", "P_p prod(...) = P_p prod(...)", 300, [] { ... });
struct Register {
  Register(std::string id, std::string description, int cases, std::function<void()> body, int max_size = 100) {
    registry().push_back({std::move(id), std::move(description), cases, max_size, std::move(body)});
  }
};

}  // namespace selgrad::properties
