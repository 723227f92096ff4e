// Hashes of exact rationals and of vectors and matrices of them, for deduplicating exact
// Jacobians and points as they stream in (equal values have equal hashes: GMP keeps rationals
// canonical, so equal values have equal limbs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "selgrad/reference/scalars.hpp"

namespace selgrad::reference::detail {

inline void hash_combine(std::size_t& h, std::size_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
}

inline void hash_mpz(std::size_t& h, mpz_srcptr z) {
  hash_combine(h, static_cast<std::size_t>(z->_mp_size));
  const auto n = static_cast<std::size_t>(z->_mp_size < 0 ? -z->_mp_size : z->_mp_size);
  for (std::size_t i = 0; i < n; ++i) hash_combine(h, static_cast<std::size_t>(z->_mp_d[i]));
}

inline std::size_t hash_value(const Rational& r) {
  std::size_t h = 0;
  hash_mpz(h, mpq_numref(r.backend().data()));
  hash_mpz(h, mpq_denref(r.backend().data()));
  return h;
}

inline std::size_t hash_value(const std::vector<Rational>& v) {
  std::size_t h = v.size();
  for (const auto& x : v) hash_combine(h, hash_value(x));
  return h;
}

inline std::size_t hash_value(const std::vector<std::vector<Rational>>& m) {
  std::size_t h = m.size();
  for (const auto& row : m) hash_combine(h, hash_value(row));
  return h;
}

/// Indices of the distinct elements of a growing list, by exact equality: `insert` returns
/// whether `items[i]` is new, comparing only with earlier items of equal hash.
template <class T>
class DistinctIndex {
 public:
  explicit DistinctIndex(const std::vector<T>& items) : items_(items) {}
  /// True if items[i] equals no item inserted before.
  bool insert(std::size_t i) {
    auto& bucket = buckets_[hash_value(items_[i])];
    for (std::size_t j : bucket)
      if (items_[j] == items_[i]) return false;
    bucket.push_back(i);
    return true;
  }
  /// True if `value` equals an inserted item.
  bool contains(const T& value) const {
    auto it = buckets_.find(hash_value(value));
    if (it == buckets_.end()) return false;
    for (std::size_t j : it->second)
      if (items_[j] == value) return true;
    return false;
  }

 private:
  const std::vector<T>& items_;
  std::unordered_map<std::size_t, std::vector<std::size_t>> buckets_;
};

}  // namespace selgrad::reference::detail
