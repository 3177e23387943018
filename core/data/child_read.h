#pragma once
// Reading a file in a child process, for readers built on a library that
// does not check everything a hostile file can say (HDF5 1.10: see
// docs/reliability.md). The child (fork, no exec) reads and sends what it
// read back through a pipe; if it crashes, exits, or does not finish by the
// timeout, the parent gets a DataError that says so, and the app goes on.
// The child's allocations are capped (childMemoryBytes), and it asks the OOM
// killer to take it first (oom_score_adj 1000), so a file that makes the
// reader allocate too much ends the child. Linux only.
// Torch-free.
//
// What the child may do: it is a copy of a multi-threaded process with one
// thread, so it must not need a lock that another thread of the parent may
// have held at the fork. glibc's malloc is fork-safe, GenLab's read limits
// register pthread_atfork handlers, and the caller holds the reader
// library's own lock across the call. A lock this does not cover (e.g. the
// dynamic loader's, should the library dlopen a plugin just as another
// thread does) can only make the child miss its timeout: a refused file,
// never a hung or crashed app.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace genlab::core {

// Buffered writes into the pipe (child side); `prefix` goes before the
// first byte written.
class ChildWriter {
 public:
  ChildWriter(int fd, char prefix) : m_fd(fd), m_prefix(prefix) {}
  bool started() const { return m_prefix == 0; }
  void bytes(const void* p, std::size_t n);
  void u64(std::uint64_t v) { bytes(&v, sizeof v); }
  void str(const std::string& s);
  template <class T>
  void vec(const std::vector<T>& v) {
    u64(v.size());
    if (!v.empty()) bytes(v.data(), v.size() * sizeof(T));
  }
  void flush();

 private:
  int m_fd;
  char m_prefix;
  std::vector<char> m_buf;
};

// Buffered reads from the pipe (parent side): every read waits at most
// until the deadline, and no length it is sent may exceed `maxBytes`.
class ChildReader {
 public:
  ChildReader(int fd, std::chrono::steady_clock::time_point deadline, std::uint64_t maxBytes)
      : m_fd(fd), m_deadline(deadline), m_maxBytes(maxBytes) {}
  void bytes(void* p, std::size_t n);
  std::uint64_t u64() {
    std::uint64_t v = 0;
    bytes(&v, sizeof v);
    return v;
  }
  std::string str();
  template <class T>
  std::vector<T> vec() {
    const std::uint64_t n = length(sizeof(T));
    std::vector<T> v;
    readGrowing(n, sizeof(T), [&](std::size_t size) {
      v.resize(size);
      return reinterpret_cast<char*>(v.data());
    });
    return v;
  }
  // A count of items of `itemBytes` each, checked against maxBytes.
  std::uint64_t length(std::size_t itemBytes);

 private:
  // Reads n items into a buffer that `resize` grows as they arrive.
  void readGrowing(std::uint64_t n, std::size_t itemBytes, const std::function<char*(std::size_t)>& resize);
  bool fill();
  int m_fd;
  std::chrono::steady_clock::time_point m_deadline;
  std::uint64_t m_maxBytes;
  std::vector<char> m_buf = std::vector<char>(1 << 16);
  std::size_t m_at = 0, m_end = 0;
};

struct ChildReadOptions {
  std::string what;  // the file, for messages
  std::chrono::seconds timeout{120};
  std::uint64_t maxBytes = 0;  // the most one length in the reply may ask for
  // The most the child may allocate beyond what it has at the fork
  // (RLIMIT_DATA); 0: no limit. An allocation past it fails in the child
  // (std::bad_alloc, or the library's own error), so a file that asks for
  // more is refused before it can press the whole machine for memory.
  std::uint64_t childMemoryBytes = 0;
};

// Forks (a lock the child needs must be held by the caller across the
// call, so that no other thread holds it at the fork). The child runs `child` (which reads the file and writes what it
// read); a DataError or other exception there comes back as a DataError
// with its message. The parent runs `parent` on the reply. Throws DataError
// when the child dies (signal, exit status), sends too little, or is not
// done by the timeout (the child is then killed).
void readInChild(const ChildReadOptions& options, const std::function<void(ChildWriter&)>& child,
                 const std::function<void(ChildReader&)>& parent);

}  // namespace genlab::core
