// Node names of the .sgp format: [A-Za-z_][A-Za-z0-9_.]*, except the keywords input/output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace selgrad {

bool is_valid_name(std::string_view s);

/// The k of a fresh name "v<k>" (written without leading zeros), or nullopt for any other name.
std::optional<std::uint64_t> fresh_name_number(std::string_view name);

/// The names of one program being built: names given by the caller, and fresh names "v0", "v1",
/// ... handed out in order, skipping the ones given. A fresh name is a number, not a string
/// in a hash set: a front end that names nothing (the C++ recorder) claims a million names
/// without hashing one. ProgramBuilder and fast::TapeBuilder both claim their names here, so a
/// program and the tape made straight from the same recording name every node alike.
class NameClaims {
 public:
  /// Claims `name`; the reason when it is invalid or taken (then nothing is claimed).
  std::optional<std::string> claim(const std::string& name);
  /// Claims the next free fresh name; returns its k.
  std::uint64_t claim_fresh();
  /// Whether `name` is taken (given, or handed out as a fresh name).
  bool taken(std::string_view name) const;
  void reserve(std::size_t names) { given_.reserve(names); }

 private:
  std::unordered_set<std::string> given_;
  std::size_t given_fresh_form_ = 0;  ///< given names of the form v<k>
  std::uint64_t next_fresh_ = 0;
};

}  // namespace selgrad
