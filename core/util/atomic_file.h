#pragma once
// Atomic saves: write to a temporary file in the same folder, flush it to
// disk, then rename over the target, so a crash never leaves half a file.
#include <string>

namespace genlab::core {
// Throws std::runtime_error with the path and the system's reason.
void writeFileAtomic(const std::string& path, const std::string& bytes);
// Reads a whole file, refusing files larger than maxBytes. Throws std::runtime_error.
std::string readFileLimited(const std::string& path, std::size_t maxBytes);
}  // namespace genlab::core
