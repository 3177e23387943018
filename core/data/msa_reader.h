#pragma once
// Multiple sequence alignments of one protein family: aligned FASTA, A2M and
// Stockholm, plain or gzip (recognised by content, not by name). Every
// malformed file gives a DataError naming the file and the line. Torch-free.
//
// Match states. FASTA/A2M: upper case and '-' are match columns, lower case
// and '.' are inserts (dropped). Stockholm: `#=GC RF` chooses the match
// columns when present (a non-gap RF character marks one), else every column
// is a match column; residues are upper-cased and '.' becomes '-'.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace genlab::core {

struct MsaLimits {
  std::size_t maxBytes = std::size_t(2) << 30;  // decompressed text
  std::size_t maxSequences = 2000000;
  std::size_t maxColumns = 40000;  // match columns per sequence
};

struct Msa {
  std::string source;  // path as given
  std::string format;  // "fasta" (aligned FASTA / A2M) or "stockholm"
  std::vector<std::string> names;
  std::vector<std::string> descriptions;  // FASTA text after the name; "" for Stockholm
  std::vector<std::string> sequences;     // match columns only: 'A'..'Z' or '-'
  // Stockholm `#=GS <name> <tag> <value>` lines: tag -> (name -> value).
  std::map<std::string, std::map<std::string, std::string>> annotations;
  // Stockholm files may hold several alignments, each ended by '//' (Pfam's
  // own files do): which one this is (0-based), how many the file has, and
  // its `#=GF ID` when given.
  std::size_t alignment = 0, alignmentsInFile = 1;
  std::string id;
  std::size_t columns() const { return sequences.empty() ? 0 : sequences.front().size(); }
  std::size_t size() const { return sequences.size(); }
};

// Reads any supported alignment from `path` (format by content); for a
// Stockholm file with several alignments, the `alignment`-th (0-based; an
// index past the last is refused with the count).
Msa readMsa(const std::string& path, const MsaLimits& limits = {}, std::size_t alignment = 0);
// Parses text already in memory; `name` is used in messages.
Msa parseMsa(const std::string& text, const std::string& name, const MsaLimits& limits = {},
             std::size_t alignment = 0);
Msa parseAlignedFasta(const std::string& text, const std::string& name,
                      const MsaLimits& limits = {});
Msa parseStockholm(const std::string& text, const std::string& name,
                   const MsaLimits& limits = {}, std::size_t alignment = 0);

// A whole file as text: gunzipped when its first bytes are gzip's magic;
// refuses binary files and anything larger than maxBytes once decompressed.
std::string readTextFile(const std::string& path, std::size_t maxBytes);

struct FastaRecord {
  std::string name;
  std::string description;  // written after the name on the header line
  std::string sequence;
};
// Writes records atomically (temporary file, then rename), 60 residues a line.
void writeFasta(const std::string& path, const std::vector<FastaRecord>& records);
std::string formatFasta(const std::vector<FastaRecord>& records);

}  // namespace genlab::core
