// Reading in a child process (core/data/child_read.*) and the .h5ad reader
// that uses it: a reply comes back whole; an error, a crash, a hang and an
// oversized length each become a DataError, and the process goes on.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/data/cell_formats.h"
#include "core/data/child_read.h"
#include "core/data/image_dataset.h"
#include "tests/core/error_of.h"

namespace fs = std::filesystem;
using namespace genlab::core;
using genlab::test::errorOf;

namespace {

ChildReadOptions options(int timeoutSeconds = 30) {
  ChildReadOptions o;
  o.what = "test.file";
  o.timeout = std::chrono::seconds(timeoutSeconds);
  o.maxBytes = 1 << 20;
  return o;
}

}  // namespace

TEST_CASE("child read: what the child writes reaches the parent whole", "[childread]") {
  std::vector<float> big(300000);  // more than the pipe and the writer's buffer hold
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<float>(i) * 0.5f;
  std::vector<float> got;
  std::string name;
  auto o = options();
  o.maxBytes = 4 << 20;
  readInChild(
      o,
      [&](ChildWriter& w) {
        w.str("cells");
        w.vec(big);
      },
      [&](ChildReader& r) {
        name = r.str();
        got = r.vec<float>();
      });
  REQUIRE(name == "cells");
  REQUIRE(got == big);
}

TEST_CASE("child read: an error in the child is the parent's DataError", "[childread]") {
  const std::string e = errorOf([] {
    readInChild(
        options(), [](ChildWriter&) { throw DataError("test.file: no 'X' matrix"); },
        [](ChildReader&) { FAIL("the parent must not read a reply"); });
  });
  REQUIRE(e == "test.file: no 'X' matrix");
}

TEST_CASE("child read: a crash in the child is a refused file, and the process goes on", "[childread]") {
  for (int round = 0; round < 2; ++round) {
    const std::string e = errorOf([] {
      readInChild(
          options(), [](ChildWriter&) { ::raise(SIGSEGV); },
          [](ChildReader&) { FAIL("no reply was sent"); });
    });
    INFO(e);
    // Signal 11 in a plain build; under ASan its handler reports and exits 1.
    REQUIRE(e.find("test.file: the reader process") == 0);
    REQUIRE((e.find("signal 11") != std::string::npos || e.find("ended with status") != std::string::npos));
    REQUIRE(e.find("nothing was loaded") != std::string::npos);
  }
  // Half a reply, then a crash.
  const std::string half = errorOf([] {
    readInChild(
        options(),
        [](ChildWriter& w) {
          w.u64(7);
          w.flush();
          ::raise(SIGKILL);
        },
        [](ChildReader& r) {
          REQUIRE(r.u64() == 7);
          r.u64();
        });
  });
  REQUIRE(half.find("signal 9") != std::string::npos);
}

TEST_CASE("child read: a child past its timeout is stopped", "[childread]") {
  const std::string e = errorOf([] {
    readInChild(
        options(1), [](ChildWriter&) { ::sleep(30); }, [](ChildReader&) {});
  });
  REQUIRE(e.find("did not finish in 1 s") != std::string::npos);
}

TEST_CASE("child read: a length past the limit is refused before it is allocated", "[childread]") {
  const std::string e = errorOf([] {
    readInChild(
        options(), [](ChildWriter& w) { w.u64(std::uint64_t{1} << 40); },
        [](ChildReader& r) { r.vec<float>(); });
  });
  REQUIRE(e.find("more than 1048576 bytes allow") != std::string::npos);
}

TEST_CASE("h5ad: the file that crashes HDF5 is refused, and reading goes on", "[childread][cells][data]") {
  // fuzz_h5ad's find (docs/reliability.md): a GenLab-written file with 10
  // bytes changed; HDF5 1.10 dies of SIGSEGV in H5HG_read on it.
  const std::string crafted = std::string(GENLAB_SOURCE_DIR) + "/fuzz/known/h5ad-vlen-heap-read-segv.h5ad";
  REQUIRE(fs::exists(crafted));
  const std::string e = errorOf([&] { openCellData(crafted); });
  INFO(e);
  REQUIRE(e.find("the reader process") != std::string::npos);
  REQUIRE(e.find("nothing was loaded") != std::string::npos);

  // A good file afterwards, in the child and in this process alike.
  const auto dir = fs::temp_directory_path() / "genlab-childread-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  CellData d;
  const float dense[6] = {1, 0, 2, 0, 3, 0};
  d.X = CsrMatrix::fromDense(dense, 2, 3);
  d.layers["counts"] = d.X;
  d.obs.index = {"a", "b"};
  d.obs.columns.push_back(CellColumn::fromStrings("group", {"g1", ""}));
  CellColumn ordered = CellColumn::fromStrings("stage", {"early", "late"});
  ordered.ordered = true;
  d.obs.columns.push_back(ordered);
  CellColumn n;
  n.name = "depth";
  n.categorical = false;
  n.values = {3.5, 1e300};
  d.obs.columns.push_back(n);
  d.var.index = {"x", "y", "z"};
  const std::string path = (dir / "ok.h5ad").string();
  writeH5ad(path, d);
  const CellData viaChild = readH5ad(path);
  const CellData here = readH5adInProcess(path);
  for (const CellData* r : {&viaChild, &here}) {
    REQUIRE(r->X.toDense() == d.X.toDense());
    REQUIRE(r->layers.at("counts").data == d.X.data);
    REQUIRE(r->obs.index == d.obs.index);
    REQUIRE(r->var.index == d.var.index);
    REQUIRE(r->obs.find("group")->codes == std::vector<std::int32_t>{0, -1});
    REQUIRE(r->obs.find("stage")->categories == std::vector<std::string>{"early", "late"});
    REQUIRE(r->obs.find("depth")->values == n.values);
  }
  REQUIRE(viaChild.obs.find("stage")->ordered == here.obs.find("stage")->ordered);
  REQUIRE(viaChild.source == here.source);
  fs::remove_all(dir);
}

TEST_CASE("child read: a child that allocates past its cap is refused, and says why", "[childread]") {
  auto o = options();
  o.childMemoryBytes = std::uint64_t{64} << 20;
  const std::string e = errorOf([&] {
    readInChild(
        o,
        [](ChildWriter& w) {
          std::vector<char> big(std::size_t{1} << 30, 1);  // 1 GB against a 64 MB cap
          w.u64(big[12345]);
        },
        [](ChildReader& r) { r.u64(); });
  });
  INFO(e);
#if defined(__SANITIZE_ADDRESS__)
  // ASan's allocator reports a failed mmap and ends the child instead.
  REQUIRE(e.find("the reader process") != std::string::npos);
#else
  REQUIRE(e.find("needs more memory than the reader may use (64 MB") != std::string::npos);
#endif
}
