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

bool resolvesInside(const std::string& folder, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec1, ec2;
  const fs::path root = fs::canonical(folder, ec1), target = fs::canonical(path, ec2);
  if (ec1 || ec2) return false;
  // Component-wise prefix: /data/set must not accept /data/set2/x.
  auto r = root.begin();
  auto t = target.begin();
  for (; r != root.end(); ++r, ++t)
    if (t == target.end() || *r != *t) return false;
  return t != target.end();
}

}  // namespace genlab::core
