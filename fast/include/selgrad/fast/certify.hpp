// Certification moved to its own library (selgrad::certify, certify/include/selgrad/certify/
// certify.hpp); this header keeps the names under selgrad::fast for existing code.
#pragma once

#include "selgrad/certify/certify.hpp"

namespace selgrad::fast {
using selgrad::certify;
using selgrad::Certificate;
using selgrad::CertifyOptions;
using selgrad::DecisionCertificate;
}  // namespace selgrad::fast
