// Alignment readers (aligned FASTA / A2M, Stockholm, gzip by content) against
// good files and every malformed case the protein lab must refuse; the FASTA writer.
#include <zlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "core/data/image_dataset.h"
#include "core/data/msa_reader.h"

namespace fs = std::filesystem;
#include "tests/core/tmp_dir.h"

using namespace genlab::core;
using Catch::Contains;

namespace {

struct Tmp : genlab::test::TmpDir {
  Tmp() : genlab::test::TmpDir("genlab-msa-") {}
  std::string writeGz(const std::string& name, const std::string& text) const {
    const auto p = (dir / name).string();
    gzFile f = gzopen(p.c_str(), "wb");
    gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
    gzclose(f);
    return p;
  }
};

std::string errorOf(const std::string& text) {
  try {
    parseMsa(text, "f");
  } catch (const DataError& e) {
    return e.what();
  }
  return "(no error)";
}

const char* kStockholm =
    "# STOCKHOLM 1.0\n"
    "#=GF ID test\n"
    "#=GS s1 DE first one\n"
    "#=GS s2 DE second\n"
    "#=GS s1 OS Homo sapiens\n"
    "\n"
    "s1  AC.De\n"
    "s2  AC-DE\n"
    "#=GC RF xx.xx\n"
    "\n"
    "s1  FG\n"
    "s2  F-\n"
    "#=GC RF x.\n"
    "//\n";

}  // namespace

TEST_CASE("protein readers: A2M match states and inserts", "[protein][data]") {
  const Msa m = parseMsa(">a desc here\nAC.d-E-\n>b\nACkkDE-\n>c\nA-DEF\n", "x.a2m");
  REQUIRE(m.format == "fasta");
  REQUIRE(m.size() == 3);
  REQUIRE(m.columns() == 5);
  CHECK(m.sequences[0] == "AC-E-");
  CHECK(m.sequences[1] == "ACDE-");
  CHECK(m.sequences[2] == "A-DEF");
  CHECK(m.names[0] == "a");
  CHECK(m.descriptions[0] == "desc here");
}

TEST_CASE("protein readers: equal-width FASTA whose first row marks the inserts",
          "[protein][data]") {
  // As in EVcouplings/DeepSequence files (e.g. freecontact's PF00071): only the
  // first sequence has lower case, every row has the same width.
  const Msa m = parseMsa(">q\nAcDE\n>b\nAKDE\n>c\nA-dE\n", "x.fa");
  REQUIRE(m.columns() == 3);
  CHECK(m.sequences[0] == "ADE");
  CHECK(m.sequences[1] == "ADE");
  CHECK(m.sequences[2] == "ADE");
}

TEST_CASE("protein readers: Stockholm blocks, RF and #=GS", "[protein][data]") {
  const Msa m = parseMsa(kStockholm, "x.sto");
  REQUIRE(m.format == "stockholm");
  REQUIRE(m.size() == 2);
  // RF "xx.xx" + "x." -> columns 0,1,3,4,5 of "AC.DeFG"
  CHECK(m.sequences[0] == "ACDEF");
  CHECK(m.sequences[1] == "ACDEF");
  CHECK(m.annotations.at("DE").at("s1") == "first one");
  CHECK(m.annotations.at("OS").at("s1") == "Homo sapiens");
}

TEST_CASE("protein readers: gzip by content, FASTA writer round trip", "[protein][data]") {
  Tmp t;
  const auto gz = t.writeGz("family.txt", kStockholm);  // no .gz in the name
  CHECK(readMsa(gz).sequences[1] == "ACDEF");
  std::vector<FastaRecord> recs{{"d1", "stage=all elbo=-3.5", std::string(130, 'A')},
                                {"d2", "", std::string(130, '-')}};
  const auto out = (t.dir / "out.fasta").string();
  writeFasta(out, recs);
  const Msa back = readMsa(out);
  REQUIRE(back.size() == 2);
  CHECK(back.sequences[0] == recs[0].sequence);
  CHECK(back.descriptions[0] == "stage=all elbo=-3.5");
}

TEST_CASE("protein readers: every malformed case names the problem and the line",
          "[protein][data]") {
  CHECK_THAT(errorOf(">a\nACD\n>b\n>c\nACD\n"), Contains("f:3") && Contains("no sequence"));
  CHECK_THAT(errorOf(">a\nAC1D\n"), Contains("f:2") && Contains("invalid residue '1'"));
  CHECK_THAT(errorOf(">a\nACD\n>b\nACDE\n"), Contains("f:3") && Contains("ragged"));
  CHECK_THAT(errorOf("# STOCKHOLM 1.0\ns1 ACD\ns2 ACD\n"), Contains("missing '//'"));
  CHECK_THAT(errorOf("# STOCKHOLM 1.0\ns1 ACD\ns2 ACD\n\ns2 EF\ns1 EF\n//\n"),
             Contains("f:5") && Contains("out of order"));
  CHECK_THAT(errorOf("# STOCKHOLM 1.0\ns1 ACD\ns2 AC\n//\n"), Contains("f:3") && Contains("ragged"));
  CHECK_THAT(errorOf("# STOCKHOLM 1.0\ns1 AC#D\n//\n"), Contains("invalid residue '#'"));
  CHECK_THAT(errorOf("# STOCKHOLM 1.0\ns1\n//\n"), Contains("f:2") && Contains("no sequence"));
  CHECK_THAT(errorOf("  \n\n"), Contains("empty"));
  CHECK_THAT(errorOf("hello\n"), Contains("neither"));
  Tmp t;
  REQUIRE_THROWS_WITH(readMsa(t.write("empty.fa", "")), Contains("is empty"));
  REQUIRE_THROWS_WITH(readMsa(t.write("bin.fa", std::string("\x7f" "ELF\0\0\1", 7))),
                      Contains("binary"));
  REQUIRE_THROWS_WITH(readMsa(t.write("cut.gz", std::string("\x1f\x8b\x08\0\0\0\0\0", 8))),
                      Contains("gzip"));
  REQUIRE_THROWS_WITH(readMsa((t.dir / "absent.fa").string()), Contains("not found"));
  MsaLimits tiny;
  tiny.maxSequences = 1;
  REQUIRE_THROWS_WITH(parseMsa(">a\nA\n>b\nA\n", "f", tiny), Contains("limit"));
  tiny = {};
  tiny.maxBytes = 4;
  REQUIRE_THROWS_WITH(readMsa(t.write("big.fa", ">a\nACDEF\n"), tiny), Contains("limit"));
}

TEST_CASE("protein readers: a Stockholm file with several alignments", "[protein][data]") {
  const std::string second =
      "# STOCKHOLM 1.0\n"
      "#=GF ID other\n"
      "t1  MKV\n"
      "t2  MRV\n"
      "t3  M-V\n"
      "//\n";
  const std::string third = "# STOCKHOLM 1.0\nu1 WW\nu2 WY\n//\n";
  const std::string text = std::string(kStockholm) + "\n" + second + third;
  const Msa first = parseMsa(text, "many.sto");
  CHECK(first.alignment == 0);
  CHECK(first.alignmentsInFile == 3);
  CHECK(first.id == "test");
  CHECK(first.sequences[0] == "ACDEF");
  const Msa two = parseMsa(text, "many.sto", {}, 1);
  CHECK(two.alignment == 1);
  CHECK(two.alignmentsInFile == 3);
  CHECK(two.id == "other");
  REQUIRE(two.size() == 3);
  CHECK(two.names[2] == "t3");
  CHECK(two.sequences[2] == "M-V");
  const Msa three = parseMsa(text, "many.sto", {}, 2);
  CHECK(three.id.empty());
  CHECK(three.sequences[1] == "WY");
  // Past the last: the count is named; FASTA holds one alignment.
  try {
    parseMsa(text, "many.sto", {}, 3);
    FAIL("alignment 4 of 3 was read");
  } catch (const DataError& e) {
    CHECK_THAT(e.what(), Contains("has 3 alignments") && Contains("alignment 4"));
  }
  CHECK_THROWS_WITH(parseMsa(">a\nAC\n>b\nAD\n", "x.fa", {}, 1), Contains("holds one alignment"));
  // Something other than a new alignment after '//' is refused with its line.
  CHECK_THROWS_WITH(parseMsa(std::string(kStockholm) + "junk\n", "x.sto", {}, 1),
                    Contains("x.sto:15:") && Contains("does not start another alignment"));
}
