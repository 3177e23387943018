#include "core/data/file_checks.h"

#include <filesystem>

#include "core/data/image_dataset.h"

namespace genlab::core {

std::uint64_t regularFileSize(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (st.type() == fs::file_type::not_found) throw DataError(path + ": file not found");
  if (ec) throw DataError(path + ": cannot access: " + ec.message());
  if (!fs::is_regular_file(st)) throw DataError(path + ": is not a regular file");
  const std::uint64_t size = fs::file_size(path, ec);
  if (ec) throw DataError(path + ": cannot read its size: " + ec.message());
  return size;
}

}  // namespace genlab::core
