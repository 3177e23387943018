#pragma once
// Checks every reader in core/data makes before opening a file.
#include <cstdint>
#include <string>

namespace genlab::core {

// The size of `path` if it is an existing regular file; otherwise throws
// DataError ("file not found", "is not a regular file", ...).
std::uint64_t regularFileSize(const std::string& path);

}  // namespace genlab::core
