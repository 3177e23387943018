#pragma once
// Core tests' helper: a fresh folder under the system's temporary directory,
// removed with everything in it when the object goes out of scope.
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace genlab::test {

class TmpDir {
 public:
  explicit TmpDir(const std::string& prefix = "genlab-test-") {
    std::random_device rd;
    dir = std::filesystem::temp_directory_path() / (prefix + std::to_string(rd()));
    std::filesystem::create_directories(dir);
  }
  ~TmpDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  TmpDir(const TmpDir&) = delete;
  TmpDir& operator=(const TmpDir&) = delete;

  std::string path(const std::string& name) const { return (dir / name).string(); }
  std::string operator/(const std::string& name) const { return path(name); }
  // Writes `bytes` to a file of that name; returns its path.
  std::string write(const std::string& name, const std::string& bytes) const {
    const std::string p = path(name);
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }

  std::filesystem::path dir;
};

}  // namespace genlab::test
