#include "core/data/child_read.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "core/data/image_dataset.h"

namespace genlab::core {

namespace {

// The first byte of a reply.
constexpr char kOk = 'O', kError = 'E';

void writeAll(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) ::_exit(4);  // the parent went away
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

std::string describeStatus(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* name = ::strsignal(sig);
    return "stopped with signal " + std::to_string(sig) + (name ? std::string(" (") + name + ")" : "");
  }
  if (WIFEXITED(status)) return "ended with status " + std::to_string(WEXITSTATUS(status));
  return "ended";
}

// The child as the parent holds it: the read end of its pipe and its pid.
// Whatever happens, the destructor closes the pipe (a child blocked writing
// then gets EPIPE and ends), kills the child unless it was reaped, and reaps it.
struct Child {
  pid_t pid = -1;
  int fd = -1;
  int status = 0;
  bool reaped = false;
  void closePipe() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  int wait() {
    closePipe();
    while (!reaped) {
      if (::waitpid(pid, &status, 0) == pid) reaped = true;
      else if (errno != EINTR) {
        reaped = true;
        status = 0;
      }
    }
    return status;
  }
  void kill() {
    if (pid > 0 && !reaped) ::kill(pid, SIGKILL);
  }
  ~Child() {
    kill();
    if (pid > 0) wait();
    closePipe();
  }
};

struct ReplyShort {};  // the pipe closed or the deadline passed

// Makes the forked child a process of its own as far as signals go: the
// handlers a parent installed (a test framework's, a crash reporter's,
// GDCM's abort guard) must not run in it, and a fault must end it with its
// signal, which the parent reports.
void resetSignals() {
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT}) ::signal(sig, SIG_DFL);
  ::signal(SIGPIPE, SIG_IGN);  // a write error ends the child (writeAll) instead
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

// Asks the kernel's OOM killer to take the child before anything else, so
// that a file that makes the reader allocate too much ends the child, not
// the app.
void preferChildForOom() {
  const int fd = ::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;
  const char v[] = "1000";
  [[maybe_unused]] const ssize_t w = ::write(fd, v, sizeof v - 1);
  ::close(fd);
}

// Caps the child's data (heap and private mappings) at what it has now plus
// `extra` bytes. VmData of /proc/self/status is the current figure.
void limitChildMemory(std::uint64_t extra) {
  if (extra == 0) return;
  std::uint64_t dataKb = 0;
  if (std::FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, f))
      if (std::strncmp(line, "VmData:", 7) == 0) dataKb = std::strtoull(line + 7, nullptr, 10);
    std::fclose(f);
  }
  if (dataKb == 0) return;  // not Linux's /proc: no cap rather than a wrong one
  rlimit r{};
  r.rlim_cur = r.rlim_max = static_cast<rlim_t>(dataKb * 1024 + extra);
  ::setrlimit(RLIMIT_DATA, &r);
}

}  // namespace

void ChildWriter::bytes(const void* p, std::size_t n) {
  if (m_prefix) {
    m_buf.push_back(m_prefix);
    m_prefix = 0;
  }
  const char* c = static_cast<const char*>(p);
  if (m_buf.size() + n > (1u << 16)) {
    flush();
    if (n > (1u << 16)) return writeAll(m_fd, c, n);
  }
  m_buf.insert(m_buf.end(), c, c + n);
}

void ChildWriter::str(const std::string& s) {
  u64(s.size());
  bytes(s.data(), s.size());
}

void ChildWriter::flush() {
  if (m_prefix) {
    m_buf.insert(m_buf.begin(), m_prefix);
    m_prefix = 0;
  }
  writeAll(m_fd, m_buf.data(), m_buf.size());
  m_buf.clear();
}

bool ChildReader::fill() {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(m_deadline -
                                                                           std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{m_fd, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    const ssize_t got = ::read(m_fd, m_buf.data(), m_buf.size());
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    m_at = 0;
    m_end = static_cast<std::size_t>(got);
    return true;
  }
}

void ChildReader::bytes(void* p, std::size_t n) {
  char* out = static_cast<char*>(p);
  while (n > 0) {
    if (m_at == m_end && !fill()) throw ReplyShort{};
    const std::size_t take = std::min(n, m_end - m_at);
    std::memcpy(out, m_buf.data() + m_at, take);
    m_at += take;
    out += take;
    n -= take;
  }
}

std::string ChildReader::str() {
  const std::uint64_t n = length(1);
  std::string s;
  readGrowing(n, 1, [&](std::size_t size) { s.resize(size); return s.data(); });
  return s;
}

std::uint64_t ChildReader::length(std::size_t itemBytes) {
  const std::uint64_t n = u64();
  if (itemBytes && n > m_maxBytes / itemBytes)
    throw DataError("the reader process sent a length of " + std::to_string(n) + " items, more than " +
                    std::to_string(m_maxBytes) + " bytes allow");
  return n;
}

void ChildReader::readGrowing(std::uint64_t n, std::size_t itemBytes,
                              const std::function<char*(std::size_t)>& resize) {
  // Grown as the bytes arrive (16 MiB at a time), so that a length the child
  // claims costs memory only once it has sent that much.
  const std::size_t step = std::max<std::size_t>(1, (std::size_t{16} << 20) / itemBytes);
  std::size_t have = 0;
  while (have < n) {
    const std::size_t next = static_cast<std::size_t>(std::min<std::uint64_t>(n, have + step));
    char* base = resize(next);
    bytes(base + have * itemBytes, (next - have) * itemBytes);
    have = next;
  }
  if (n == 0) resize(0);
}

void readInChild(const ChildReadOptions& options, const std::function<void(ChildWriter&)>& child,
                 const std::function<void(ChildReader&)>& parent) {
  int fds[2];
  const pid_t parentPid = ::getpid();
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw DataError(options.what + ": cannot start the reader process (pipe: " + std::strerror(errno) + ")");
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int e = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    throw DataError(options.what + ": cannot start the reader process (fork: " + std::strerror(e) + ")");
  }
  if (pid == 0) {
    // The child: only this thread exists; _exit so that nothing of the
    // parent's (static destructors, atexit handlers, stdio buffers) runs here.
    ::close(fds[0]);
    // The child must not outlive the parent (a parent that is killed never
    // stops a child caught in a library's endless loop), nor burn more CPU
    // than its timeout allows, whoever waits for it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parentPid) ::_exit(5);  // the parent ended before the line above
    rlimit cpu{};
    cpu.rlim_cur = cpu.rlim_max = static_cast<rlim_t>(options.timeout.count() + 5);
    ::setrlimit(RLIMIT_CPU, &cpu);
    resetSignals();
    preferChildForOom();
    limitChildMemory(options.childMemoryBytes);
    ChildWriter body(fds[1], kOk);
    std::string error;
    try {
      child(body);
      body.flush();
    } catch (const std::bad_alloc&) {
      error = options.what + ": reading it needs more memory than the reader may use (" +
              std::to_string(options.childMemoryBytes >> 20) +
              " MB for this file; a damaged or crafted file?); nothing was loaded";
    } catch (const std::exception& e) {
      error = e.what();
    } catch (...) {
      error = options.what + ": the reader failed";
    }
    if (!error.empty()) {
      if (body.started()) ::_exit(3);  // half a reply: the parent reports the status
      ChildWriter w(fds[1], kError);
      w.str(error);
      w.flush();
      ::_exit(2);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  Child c;
  c.pid = pid;
  c.fd = fds[0];
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  ChildReader r(c.fd, deadline, options.maxBytes);
  std::string failure;
  try {
    char tag = 0;
    r.bytes(&tag, 1);
    if (tag == kError) {
      failure = r.str();
    } else if (tag == kOk) {
      parent(r);
      // All of it was read: anything more is a reply GenLab does not understand.
      char extra = 0;
      bool more = true;
      try {
        r.bytes(&extra, 1);
      } catch (const ReplyShort&) {
        more = false;
      }
      if (more) failure = options.what + ": the reader process sent more than GenLab expected";
    } else {
      failure = options.what + ": the reader process sent a reply GenLab does not understand";
    }
  } catch (const ReplyShort&) {
    if (std::chrono::steady_clock::now() >= deadline) {
      c.kill();
      c.wait();
      throw DataError(options.what + ": reading it did not finish in " +
                      std::to_string(options.timeout.count()) +
                      " s, so the reader was stopped (a damaged or crafted file?); nothing was loaded");
    }
    const int status = c.wait();
    throw DataError(options.what + ": the reader process " + describeStatus(status) +
                    " while reading it (a damaged or crafted file that the file's library does not "
                    "check, or too little memory); nothing was loaded");
  } catch (const std::bad_alloc&) {
    throw DataError(options.what + ": not enough memory for what the reader process read; nothing was loaded");
  }
  if (!failure.empty()) {
    c.kill();
    c.wait();
    throw DataError(failure);
  }
  const int status = c.wait();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw DataError(options.what + ": the reader process " + describeStatus(status) +
                    " after reading it; nothing was loaded");
}

}  // namespace genlab::core
