#pragma once
// Checks every reader in core/data makes before opening a file.
#include <cstdint>
#include <string>

namespace genlab::core {

// The size of `path` if it is an existing regular file; otherwise throws
// DataError ("file not found", "is not a regular file", ...).
std::uint64_t regularFileSize(const std::string& path);

// Whether `path`, with every symlink resolved (realpath), lies inside
// `folder` (also resolved). A file listed in a data folder must: a symlink
// inside the folder pointing elsewhere is refused. False when either cannot
// be resolved (the caller reports a missing file first).
bool resolvesInside(const std::string& folder, const std::string& path);

}  // namespace genlab::core
