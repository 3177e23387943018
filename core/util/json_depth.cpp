#include "core/util/json_depth.h"

#include <algorithm>

namespace genlab::core {

int jsonDepthAtMost(const char* p, const char* end, int limit) {
  int depth = 0, deepest = 0;
  bool inString = false;
  for (; p != end; ++p) {
    const char c = *p;
    if (inString) {
      if (c == '\\' && p + 1 != end)
        ++p;
      else if (c == '"')
        inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace genlab::core
