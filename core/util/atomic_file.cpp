#include "core/util/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace genlab::core {

namespace {
std::runtime_error sysError(const std::string& what, const std::string& path) {
  return std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}
}  // namespace

void writeFileAtomic(const std::string& path, const std::string& bytes) {
  std::string tmpl = path + ".tmp-XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0) throw sysError("cannot create a temporary file beside", path);
  const std::string tmp(name.data());
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto err = sysError("cannot write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      throw err;
    }
    done += static_cast<std::size_t>(n);
  }
  ::fchmod(fd, 0644);
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    auto err = sysError("cannot flush", tmp);
    ::unlink(tmp.c_str());
    throw err;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto err = sysError("cannot replace", path);
    ::unlink(tmp.c_str());
    throw err;
  }
}

std::string readFileLimited(const std::string& path, std::size_t maxBytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) throw std::runtime_error("cannot read " + path);
  if (static_cast<std::size_t>(size) > maxBytes)
    throw std::runtime_error(path + " is too large (" + std::to_string(size) + " bytes)");
  in.seekg(0);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  if (size > 0 && !in.read(bytes.data(), size))
    throw std::runtime_error("cannot read " + path + ": read failed");
  return bytes;
}

}  // namespace genlab::core
