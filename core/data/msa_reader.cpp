#include "core/data/msa_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "core/data/file_checks.h"
#include "core/data/image_dataset.h"
#include "core/util/atomic_file.h"

namespace genlab::core {

namespace {

[[noreturn]] void failAt(const std::string& name, std::size_t line, const std::string& what) {
  throw DataError(name + ":" + std::to_string(line) + ": " + what);
}
[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw DataError(name + ": " + what);
}

bool isGzip(const std::string& bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

std::string gunzip(const std::string& in, const std::string& name, std::size_t maxBytes) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) fail(name, "cannot start gzip decompression");
  std::string out;
  std::vector<char> buf(1 << 18);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int ret = Z_OK;
  while (true) {
    z.next_out = reinterpret_cast<Bytef*>(buf.data());
    z.avail_out = static_cast<uInt>(buf.size());
    ret = inflate(&z, Z_NO_FLUSH);
    out.append(buf.data(), buf.size() - z.avail_out);
    if (out.size() > maxBytes) {
      inflateEnd(&z);
      fail(name, "decompresses to more than " + std::to_string(maxBytes >> 20) +
                     " MiB, the limit for an alignment");
    }
    if (ret == Z_STREAM_END) {
      // Concatenated gzip members, as gzip -d accepts.
      if (z.avail_in > 0 && z.next_in[0] == 0x1f) {
        inflateReset(&z);
        continue;
      }
      break;
    }
    if (ret == Z_BUF_ERROR && z.avail_in == 0) {
      inflateEnd(&z);
      fail(name, "the gzip data is cut off");
    }
    if (ret != Z_OK) {
      const std::string msg = z.msg ? z.msg : "inflate error";
      inflateEnd(&z);
      fail(name, "corrupt gzip data (" + msg + ")");
    }
  }
  inflateEnd(&z);
  return out;
}

// Text files have no NUL bytes and few control characters.
void refuseBinary(const std::string& text, const std::string& name) {
  const std::size_t n = std::min<std::size_t>(text.size(), 65536);
  std::size_t odd = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0) fail(name, "is a binary file (byte 0 at offset " + std::to_string(i) +
                               "), not a sequence alignment");
    if (c < 32 && c != '\n' && c != '\r' && c != '\t' && c != '\f') ++odd;
  }
  if (n > 0 && odd * 20 > n) fail(name, "is a binary file, not a sequence alignment");
}

std::string trimRight(const std::string& s) {
  std::size_t e = s.size();
  while (e > 0 && (s[e - 1] == '\r' || s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(0, e);
}

bool isBlank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

std::string describeChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 33 && u < 127) return std::string("'") + c + "'";
  return "byte " + std::to_string(u);
}

// Lines with their 1-based numbers.
class Lines {
 public:
  explicit Lines(const std::string& text) : m_text(text) {}
  bool next(std::string& line) {
    if (m_pos >= m_text.size()) return false;
    std::size_t e = m_text.find('\n', m_pos);
    if (e == std::string::npos) e = m_text.size();
    line = trimRight(m_text.substr(m_pos, e - m_pos));
    m_pos = e + 1;
    ++m_line;
    return true;
  }
  std::size_t number() const { return m_line; }

 private:
  const std::string& m_text;
  std::size_t m_pos = 0, m_line = 0;
};

}  // namespace

std::string readTextFile(const std::string& path, std::size_t maxBytes) {
  const std::uint64_t size = regularFileSize(path);
  if (size == 0) fail(path, "is empty");
  if (size > maxBytes)
    fail(path, "is " + std::to_string(size >> 20) + " MiB, more than the limit of " +
                   std::to_string(maxBytes >> 20) + " MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot be opened");
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (static_cast<std::uint64_t>(in.gcount()) != size) fail(path, "could not be read whole");
  if (isGzip(bytes)) bytes = gunzip(bytes, path, maxBytes);
  refuseBinary(bytes, path);
  return bytes;
}

Msa parseAlignedFasta(const std::string& text, const std::string& name, const MsaLimits& limits) {
  Msa msa;
  msa.source = name;
  msa.format = "fasta";
  Lines lines(text);
  std::string line;
  std::vector<std::string> raw;         // every aligned character, inserts included
  std::vector<std::size_t> headerLines;
  auto checkLastHasResidues = [&] {
    if (!raw.empty() && raw.back().empty())
      failAt(name, headerLines.back(), "record '" + msa.names.back() + "' has no sequence");
  };
  while (lines.next(line)) {
    if (line.empty() || line[0] == ';') continue;
    if (line[0] == '>') {
      checkLastHasResidues();
      const std::string head = line.substr(1);
      const std::size_t sp = head.find_first_of(" \t");
      std::string id = head.substr(0, sp);
      if (id.empty()) failAt(name, lines.number(), "a record header with no name");
      msa.names.push_back(id);
      msa.descriptions.push_back(sp == std::string::npos ? "" : head.substr(sp + 1));
      raw.emplace_back();
      headerLines.push_back(lines.number());
      if (msa.names.size() > limits.maxSequences)
        failAt(name, lines.number(), "more than " + std::to_string(limits.maxSequences) +
                                         " sequences, the limit for an alignment");
      continue;
    }
    if (raw.empty())
      failAt(name, lines.number(), "sequence data before the first '>' header: not FASTA");
    std::string& s = raw.back();
    for (char c : line) {
      if (c == ' ' || c == '\t' || c == '*') continue;  // '*': a stop at the end of a record
      const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '.';
      if (!ok)
        failAt(name, lines.number(), "invalid residue " + describeChar(c) + " in record '" +
                                         msa.names.back() + "'");
      s.push_back(c);
    }
    if (s.size() > limits.maxColumns * 4)
      failAt(name, lines.number(), "more than " + std::to_string(limits.maxColumns * 4) +
                                       " columns, the limit for an alignment");
  }
  if (raw.empty()) fail(name, "contains no sequence records");
  checkLastHasResidues();
  auto isMatch = [](char c) { return (c >= 'A' && c <= 'Z') || c == '-'; };
  std::vector<std::size_t> matchLen;
  for (const auto& r : raw)
    matchLen.push_back(static_cast<std::size_t>(std::count_if(r.begin(), r.end(), isMatch)));
  const bool a2m = std::all_of(matchLen.begin(), matchLen.end(),
                               [&](std::size_t m) { return m == matchLen.front(); });
  const bool sameWidth = std::all_of(raw.begin(), raw.end(), [&](const std::string& r) {
    return r.size() == raw.front().size();
  });
  if (a2m) {
    // A2M: upper case and '-' are match states, lower case and '.' inserts.
    for (const auto& r : raw) {
      std::string s;
      s.reserve(matchLen.front());
      for (char c : r)
        if (isMatch(c)) s.push_back(c);
      msa.sequences.push_back(std::move(s));
    }
  } else if (sameWidth) {
    // Rows of equal width whose case does not mark inserts row by row (e.g.
    // EVcouplings/DeepSequence files): the first sequence's lower case and '.'
    // columns are the inserts, as those tools read it.
    std::vector<std::size_t> cols;
    for (std::size_t c = 0; c < raw.front().size(); ++c)
      if (isMatch(raw.front()[c])) cols.push_back(c);
    for (const auto& r : raw) {
      std::string s;
      s.reserve(cols.size());
      for (std::size_t c : cols) {
        char ch = r[c];
        if (ch == '.') ch = '-';
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
        s.push_back(ch);
      }
      msa.sequences.push_back(std::move(s));
    }
  } else {
    for (std::size_t i = 1; i < raw.size(); ++i)
      if (matchLen[i] != matchLen.front())
        failAt(name, headerLines[i],
               "ragged alignment: record '" + msa.names[i] + "' has " +
                   std::to_string(matchLen[i]) + " match columns, the first record '" +
                   msa.names.front() + "' has " + std::to_string(matchLen.front()));
  }
  if (msa.columns() == 0) fail(name, "has no match columns (upper case or '-')");
  if (msa.columns() > limits.maxColumns)
    fail(name, "more than " + std::to_string(limits.maxColumns) +
                   " match columns, the limit for an alignment");
  return msa;
}

namespace {

struct StockholmBlockState {
  std::vector<std::string> order;  // names in the first block's order
  std::unordered_map<std::string, std::size_t> index;
  std::size_t block = 0, posInBlock = 0;
  bool inBlock = false;
};

}  // namespace

Msa parseStockholm(const std::string& text, const std::string& name, const MsaLimits& limits,
                   std::size_t alignment) {
  Msa msa;
  msa.source = name;
  msa.format = "stockholm";
  msa.alignment = alignment;
  Lines lines(text);
  std::string line;
  if (!lines.next(line) || line.rfind("# STOCKHOLM", 0) != 0)
    failAt(name, 1, "a Stockholm file starts with '# STOCKHOLM 1.0'");
  // Earlier alignments of the file are skipped to their '//'.
  for (std::size_t skipped = 0; skipped < alignment; ++skipped) {
    bool closed = false;
    while (lines.next(line))
      if (line == "//") {
        closed = true;
        break;
      }
    bool another = false;
    if (closed)
      while (lines.next(line)) {
        if (isBlank(line)) continue;
        if (line.rfind("# STOCKHOLM", 0) != 0)
          failAt(name, lines.number(), "text after '//' that does not start another alignment "
                                       "('# STOCKHOLM 1.0')");
        another = true;
        break;
      }
    if (!another)
      fail(name, "has " + std::to_string(skipped + 1) + " alignment" + (skipped ? "s" : "") +
                     "; alignment " + std::to_string(alignment + 1) + " was asked for");
  }
  StockholmBlockState st;
  std::vector<std::string> raw;  // all columns, per sequence
  std::string rf;
  bool haveRf = false, ended = false;
  std::size_t rfLines = 0;
  while (lines.next(line)) {
    const std::size_t ln = lines.number();
    if (line == "//") {
      ended = true;
      break;
    }
    if (isBlank(line)) {
      if (st.inBlock) {
        if (st.block > 0 && st.posInBlock != st.order.size())
          failAt(name, ln, "block " + std::to_string(st.block + 1) + " has " +
                               std::to_string(st.posInBlock) + " sequences, the first block has " +
                               std::to_string(st.order.size()));
        ++st.block;
        st.posInBlock = 0;
        st.inBlock = false;
      }
      continue;
    }
    if (line.rfind("#=GS", 0) == 0) {
      std::istringstream is(line.substr(4));
      std::string seqName, tag;
      is >> seqName >> tag;
      std::string value;
      std::getline(is, value);
      value.erase(0, value.find_first_not_of(" \t"));
      if (seqName.empty() || tag.empty()) failAt(name, ln, "a '#=GS' line needs a name and a tag");
      msa.annotations[tag][seqName] = value;
      continue;
    }
    if (line.rfind("#=GC", 0) == 0) {
      std::istringstream is(line.substr(4));
      std::string tag, cols;
      is >> tag >> cols;
      if (tag == "RF") {
        if (rfLines != st.block)
          failAt(name, ln, "'#=GC RF' appears twice in one block");
        rf += cols;
        ++rfLines;
        haveRf = true;
      }
      continue;
    }
    if (line.rfind("#=GF ID", 0) == 0) {
      std::istringstream is(line.substr(7));
      is >> msa.id;
      continue;
    }
    if (line[0] == '#') continue;  // #=GF, #=GR and comments
    std::istringstream is(line);
    std::string seqName, cols, extra;
    is >> seqName >> cols >> extra;
    if (cols.empty()) failAt(name, ln, "record '" + seqName + "' has no sequence");
    if (!extra.empty())
      failAt(name, ln, "more than a name and one sequence field on the line of '" + seqName + "'");
    st.inBlock = true;
    if (st.block == 0) {
      if (st.index.count(seqName))
        failAt(name, ln, "sequence '" + seqName + "' appears twice in the first block");
      st.index[seqName] = st.order.size();
      st.order.push_back(seqName);
      raw.emplace_back();
      if (raw.size() > limits.maxSequences)
        failAt(name, ln, "more than " + std::to_string(limits.maxSequences) +
                             " sequences, the limit for an alignment");
    } else {
      const auto it = st.index.find(seqName);
      if (it == st.index.end())
        failAt(name, ln, "sequence '" + seqName + "' in block " + std::to_string(st.block + 1) +
                             " is not in the first block");
      if (st.posInBlock >= st.order.size() || it->second != st.posInBlock)
        failAt(name, ln, "blocks out of order: block " + std::to_string(st.block + 1) + " has '" +
                             seqName + "' where the first block has '" +
                             (st.posInBlock < st.order.size() ? st.order[st.posInBlock] : "") +
                             "'");
    }
    std::string& s = raw[st.block == 0 ? raw.size() - 1 : st.posInBlock];
    for (char c : cols) {
      const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '.';
      if (!ok)
        failAt(name, ln, "invalid residue " + describeChar(c) + " in record '" + seqName + "'");
    }
    s += cols;
    if (s.size() > limits.maxColumns * 4)
      failAt(name, ln, "more than " + std::to_string(limits.maxColumns * 4) +
                           " columns, the limit for an alignment");
    ++st.posInBlock;
    // Row 0 comes first in every block, so every later row must match its width.
    if (&s != &raw[0] && s.size() != raw[0].size())
      failAt(name, ln, "ragged alignment: '" + seqName + "' is " + std::to_string(s.size()) +
                           " columns long so far, '" + st.order[0] + "' is " +
                           std::to_string(raw[0].size()));
  }
  if (!ended) failAt(name, lines.number(), "missing '//' at the end of the alignment");
  // Count the alignments after this one (each begins '# STOCKHOLM').
  msa.alignmentsInFile = alignment + 1;
  while (lines.next(line))
    if (line.rfind("# STOCKHOLM", 0) == 0) ++msa.alignmentsInFile;
  if (raw.empty()) fail(name, "contains no sequences");
  const std::size_t width = raw.front().size();
  for (std::size_t i = 0; i < raw.size(); ++i)
    if (raw[i].size() != width)
      fail(name, "ragged alignment: '" + st.order[i] + "' has " + std::to_string(raw[i].size()) +
                     " columns, '" + st.order[0] + "' has " + std::to_string(width));
  if (haveRf && rf.size() != width)
    fail(name, "'#=GC RF' has " + std::to_string(rf.size()) + " columns, the sequences have " +
                   std::to_string(width));
  std::vector<std::size_t> match;
  for (std::size_t c = 0; c < width; ++c)
    if (!haveRf || (rf[c] != '.' && rf[c] != '-' && rf[c] != '~')) match.push_back(c);
  if (match.empty()) fail(name, "'#=GC RF' marks no match column");
  if (match.size() > limits.maxColumns)
    fail(name, "more than " + std::to_string(limits.maxColumns) + " match columns");
  msa.names = st.order;
  msa.descriptions.assign(raw.size(), "");
  msa.sequences.reserve(raw.size());
  for (const std::string& r : raw) {
    std::string s;
    s.reserve(match.size());
    for (std::size_t c : match) {
      char ch = r[c];
      if (ch == '.') ch = '-';
      if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
      s.push_back(ch);
    }
    msa.sequences.push_back(std::move(s));
  }
  return msa;
}

Msa parseMsa(const std::string& text, const std::string& name, const MsaLimits& limits,
             std::size_t alignment) {
  std::size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' ||
                             text[i] == '\t'))
    ++i;
  if (i == text.size()) fail(name, "is empty (no alignment in it)");
  if (text.compare(i, 11, "# STOCKHOLM") == 0)
    return parseStockholm(text.substr(i), name, limits, alignment);
  if (text[i] == '>') {
    if (alignment > 0)
      fail(name, "is aligned FASTA/A2M, which holds one alignment; alignment " +
                     std::to_string(alignment + 1) + " was asked for");
    return parseAlignedFasta(text, name, limits);
  }
  fail(name, "is neither aligned FASTA/A2M (starts with '>') nor Stockholm (starts with "
             "'# STOCKHOLM')");
}

Msa readMsa(const std::string& path, const MsaLimits& limits, std::size_t alignment) {
  return parseMsa(readTextFile(path, limits.maxBytes), path, limits, alignment);
}

std::string formatFasta(const std::vector<FastaRecord>& records) {
  std::string out;
  for (const auto& r : records) {
    out += '>';
    out += r.name;
    if (!r.description.empty()) {
      out += ' ';
      out += r.description;
    }
    out += '\n';
    for (std::size_t i = 0; i < r.sequence.size(); i += 60) {
      out += r.sequence.substr(i, 60);
      out += '\n';
    }
  }
  return out;
}

void writeFasta(const std::string& path, const std::vector<FastaRecord>& records) {
  writeFileAtomic(path, formatFasta(records));
}

}  // namespace genlab::core
