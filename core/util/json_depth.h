#pragma once
// How deep untrusted JSON nests, measured before any parser sees it: model
// files and experiment files refuse headers deeper than their limit.
namespace genlab::core {

// The deepest nesting of arrays and objects in JSON text, stopping as soon as
// it passes `limit` (so a million '[' cost one pass and no memory). Brackets
// inside strings do not count. Malformed text is left to the parser.
int jsonDepthAtMost(const char* begin, const char* end, int limit);

}  // namespace genlab::core
