// Node names of the .sgp format: [A-Za-z_][A-Za-z0-9_.]*, except the keywords input/output.
#pragma once

#include <string_view>

namespace selgrad {

bool is_valid_name(std::string_view s);

}  // namespace selgrad
