// Text formats of the Cells lab: dense CSV/TSV, obs CSV, 10x Matrix Market
// folders (plain or gzip, via zlib), and their writers.
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <unordered_set>

#include "core/data/cell_formats.h"
#include "core/data/file_checks.h"
#include "core/data/image_dataset.h"
#include "core/data/read_limits.h"
#include "core/util/atomic_file.h"

namespace genlab::core {

namespace {

// The whole file, gunzipped when it is gzip (zlib reads plain files as they
// are), refusing more than the read limits allow for its size.
std::string readMaybeGz(const std::string& path) {
  const std::uint64_t size = regularFileSize(path);
  const auto lim = readLimits();
  const std::uint64_t cap = std::max<std::uint64_t>(kExpansionFloorBytes, size * lim.maxExpansion);
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw DataError(path + ": cannot open: " + std::strerror(errno));
  std::string out;
  std::vector<char> buf(1 << 16);  // per call: small files are common (and fuzzed)
  for (;;) {
    const int n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
    if (n < 0) {
      int code = 0;
      const std::string msg = gzerror(f, &code);
      gzclose(f);
      throw DataError(path + ": damaged or truncated gzip data (" + msg + ")");
    }
    if (n == 0) break;
    out.append(buf.data(), static_cast<std::size_t>(n));
    if (out.size() > cap) {
      gzclose(f);
      throw DataError(path + ": decompresses to " +
                      overLimit(cap, "bytes for its size", kMaxExpansionOption));
    }
  }
  gzclose(f);
  return out;
}

std::vector<std::string> splitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t a = 0;
  while (a < text.size()) {
    std::size_t b = text.find('\n', a);
    if (b == std::string::npos) b = text.size();
    std::size_t e = b;
    if (e > a && text[e - 1] == '\r') --e;
    lines.emplace_back(text, a, e - a);
    a = b + 1;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

std::string unquote(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
    s = s.substr(1, s.size() - 2);
    std::string o;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '"' && i + 1 < s.size() && s[i + 1] == '"') ++i;
      o += s[i];
    }
    return o;
  }
  return s;
}

// Splits one line on `delim`, honouring double quotes.
std::vector<std::string> splitFields(const std::string& line, char delim) {
  std::vector<std::string> f;
  std::string cur;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    if (c == delim && !quoted) {
      f.push_back(unquote(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  f.push_back(unquote(cur));
  return f;
}

char detectDelimiter(const std::string& header) {
  const auto tabs = std::count(header.begin(), header.end(), '\t');
  const auto commas = std::count(header.begin(), header.end(), ',');
  return tabs > commas ? '\t' : ',';
}

bool parseNumber(const std::string& s, double& v) {
  if (s.empty()) return false;
  const char* p = s.c_str();
  char* end = nullptr;
  errno = 0;
  v = std::strtod(p, &end);
  while (*end == ' ') ++end;
  return end != p && *end == '\0';
}

std::string fileName(const std::string& path) {
  const auto s = path.rfind('/');
  return s == std::string::npos ? path : path.substr(s + 1);
}

bool exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

// Writes `text` gzip'd to `path`, atomically.
void writeGzAtomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  gzFile f = gzopen(tmp.c_str(), "wb6");
  if (!f) throw std::runtime_error("cannot create " + tmp + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(text.size() - done, 1 << 24));
    if (gzwrite(f, text.data() + done, chunk) != static_cast<int>(chunk)) {
      gzclose(f);
      ::unlink(tmp.c_str());
      throw std::runtime_error("cannot write " + tmp);
    }
    done += chunk;
  }
  if (gzclose(f) != Z_OK || std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write " + path);
  }
}

}  // namespace

std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r\t") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
  return o + "\"";
}

CellData readExpressionCsv(const std::string& path, TableOrientation orientation) {
  const std::uint64_t size = regularFileSize(path);
  const std::string text = readMaybeGz(path);
  const auto lines = splitLines(text);
  if (lines.size() < 2) throw DataError(path + ": a table needs a header row and at least one row");
  const char delim = detectDelimiter(lines[0]);
  auto header = splitFields(lines[0], delim);
  const std::size_t width = splitFields(lines[1], delim).size();
  // R's write.table leaves the corner out: the header is one field short.
  if (header.size() + 1 == width) header.insert(header.begin(), "");
  if (header.size() < 2) throw DataError(path + ": the header has no data columns");
  const std::size_t nCols = header.size() - 1, nRows = lines.size() - 1;
  if (double(nRows) * double(nCols) * 2 > double(size) + 16)  // every value takes >= 2 bytes
    throw DataError(path + ": the header promises more values than the file can hold");
  std::vector<float> values(nRows * nCols);
  std::vector<std::string> rowNames(nRows);
  for (std::size_t r = 0; r < nRows; ++r) {
    const auto f = splitFields(lines[r + 1], delim);
    if (f.size() != nCols + 1)
      throw DataError(path + ": line " + std::to_string(r + 2) + " has " +
                      std::to_string(f.size()) + " fields, the header has " +
                      std::to_string(nCols + 1) + " (ragged rows)");
    rowNames[r] = f[0];
    for (std::size_t c = 0; c < nCols; ++c) {
      double v = 0;
      if (!parseNumber(f[c + 1], v))
        throw DataError(path + ": line " + std::to_string(r + 2) + ", column " +
                        std::to_string(c + 2) + ": '" + f[c + 1].substr(0, 40) +
                        "' is not a number");
      if (!std::isfinite(v))
        throw DataError(path + ": line " + std::to_string(r + 2) + ", column " +
                        std::to_string(c + 2) + " is " + (std::isnan(v) ? "NaN" : "infinite"));
      if (v < 0)
        throw DataError(path + ": line " + std::to_string(r + 2) + ", column " +
                        std::to_string(c + 2) + ": negative value " + f[c + 1] +
                        " (expression must be counts or non-negative values)");
      values[r * nCols + c] = static_cast<float>(v);
    }
  }
  std::vector<std::string> colNames(header.begin() + 1, header.end());
  std::string how;
  if (orientation == TableOrientation::Auto) {
    orientation = nRows >= nCols ? TableOrientation::GenesByCells : TableOrientation::CellsByGenes;
    how = orientation == TableOrientation::GenesByCells
              ? " (detected: rows are genes, as there are more rows than columns)"
              : " (detected: rows are cells, as there are more columns than rows)";
  }
  CellData d;
  CsrMatrix m = CsrMatrix::fromDense(values.data(), std::int64_t(nRows), std::int64_t(nCols));
  if (orientation == TableOrientation::GenesByCells) {
    d.X = m.transposed();
    d.var.index = rowNames;
    d.obs.index = colNames;
  } else {
    d.X = std::move(m);
    d.obs.index = rowNames;
    d.var.index = colNames;
  }
  d.source = "dense table " + fileName(path) +
             (orientation == TableOrientation::GenesByCells ? ", genes x cells" : ", cells x genes") +
             how;
  return d;
}

CellTable readObsCsv(const std::string& path) {
  regularFileSize(path);
  const auto lines = splitLines(readMaybeGz(path));
  if (lines.empty()) throw DataError(path + ": empty obs table");
  const char delim = detectDelimiter(lines[0]);
  auto header = splitFields(lines[0], delim);
  const std::size_t width = lines.size() > 1 ? splitFields(lines[1], delim).size() : header.size();
  if (header.size() + 1 == width) header.insert(header.begin(), "");
  std::vector<std::vector<std::string>> cols(header.size());
  for (std::size_t r = 1; r < lines.size(); ++r) {
    const auto f = splitFields(lines[r], delim);
    if (f.size() != header.size())
      throw DataError(path + ": line " + std::to_string(r + 1) + " has " +
                      std::to_string(f.size()) + " fields, the header has " +
                      std::to_string(header.size()) + " (ragged rows)");
    for (std::size_t c = 0; c < f.size(); ++c) cols[c].push_back(f[c]);
  }
  CellTable t;
  t.index = cols[0];
  for (std::size_t c = 1; c < cols.size(); ++c) {
    bool numeric = true;
    std::vector<double> v;
    for (const auto& s : cols[c]) {
      double x = 0;
      if (s.empty() || s == "NA") x = std::nan("");
      else if (!parseNumber(s, x)) numeric = false;
      v.push_back(x);
    }
    // Small integer-valued columns (time points, batches) read better as categories.
    std::unordered_set<double> distinct(v.begin(), v.end());
    if (numeric && distinct.size() > 12) {
      CellColumn col;
      col.name = header[c];
      col.categorical = false;
      col.values = std::move(v);
      t.columns.push_back(std::move(col));
    } else {
      t.columns.push_back(CellColumn::fromStrings(header[c], cols[c]));
    }
  }
  return t;
}

CellData read10xFolder(const std::string& dir) {
  auto pick = [&](std::initializer_list<const char*> names) -> std::string {
    for (const char* n : names)
      if (exists(dir + "/" + n)) return dir + "/" + n;
    return {};
  };
  const std::string mtx = pick({"matrix.mtx.gz", "matrix.mtx"});
  const std::string genes = pick({"features.tsv.gz", "features.tsv", "genes.tsv.gz", "genes.tsv"});
  const std::string barcodes = pick({"barcodes.tsv.gz", "barcodes.tsv"});
  if (mtx.empty() || genes.empty() || barcodes.empty())
    throw DataError(dir + ": not a 10x Matrix Market folder (it needs matrix.mtx[.gz], "
                    "features.tsv[.gz] or genes.tsv, and barcodes.tsv[.gz])");
  const std::uint64_t size = regularFileSize(mtx);
  const std::string text = readMaybeGz(mtx);
  std::size_t pos = 0;
  auto nextLine = [&](std::string& line) {
    if (pos >= text.size()) return false;
    std::size_t e = text.find('\n', pos);
    if (e == std::string::npos) e = text.size();
    line.assign(text, pos, e - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    pos = e + 1;
    return true;
  };
  std::string line;
  if (!nextLine(line) || line.rfind("%%MatrixMarket", 0) != 0)
    throw DataError(mtx + " is not a Matrix Market file: it starts with " +
                    (text.empty() ? std::string("nothing") : "\"" + line.substr(0, 40) + "\""));
  std::istringstream banner(line);
  std::string tag, object, format, field, symmetry;
  banner >> tag >> object >> format >> field >> symmetry;
  if (object != "matrix" || format != "coordinate" || symmetry != "general" ||
      (field != "integer" && field != "real" && field != "pattern"))
    throw DataError(mtx + ": only 'matrix coordinate integer|real|pattern general' is read, not '" +
                    line + "'");
  while (nextLine(line) && (line.empty() || line[0] == '%')) {
  }
  long long nGenes = -1, nCells = -1, nnz = -1;
  {
    std::istringstream h(line);
    if (!(h >> nGenes >> nCells >> nnz) || nGenes <= 0 || nCells <= 0 || nnz < 0 ||
        nGenes > INT32_MAX || nCells > INT32_MAX)
      throw DataError(mtx + ": bad size line '" + line.substr(0, 60) + "'");
  }
  // Every entry takes at least 6 characters ("1 1 1\n"): the header's count
  // must fit in what was read before anything is allocated.
  if (static_cast<long double>(nnz) * 6 > static_cast<long double>(text.size() - pos) + 6 ||
      static_cast<long double>(nnz) > static_cast<long double>(nGenes) * nCells)
    throw DataError(mtx + ": the header says " + std::to_string(nnz) +
                    " entries, more than the file holds (header count disagrees with the data)");
  (void)size;
  std::vector<std::int32_t> gi, ci;
  std::vector<float> vals;
  gi.reserve(nnz);
  ci.reserve(nnz);
  vals.reserve(nnz);
  long long lineNo = 2;
  const char* p = text.data() + pos;
  const char* end = text.data() + text.size();
  while (p < end) {
    const char* e = static_cast<const char*>(std::memchr(p, '\n', end - p));
    if (!e) e = end;
    ++lineNo;
    std::string ln(p, e);
    p = e + 1;
    if (ln.empty() || ln == "\r") continue;
    if (static_cast<long long>(vals.size()) >= nnz)
      throw DataError(mtx + ": more entries than the header's " + std::to_string(nnz) +
                      " (header count disagrees with the data)");
    char* q = nullptr;
    const long long g = std::strtoll(ln.c_str(), &q, 10);
    const long long c = std::strtoll(q, &q, 10);
    double v = 1;
    if (field != "pattern") {
      char* q2 = nullptr;
      v = std::strtod(q, &q2);
      if (q2 == q) throw DataError(mtx + ": line " + std::to_string(lineNo) + " has no value");
    }
    if (g < 1 || g > nGenes || c < 1 || c > nCells)
      throw DataError(mtx + ": line " + std::to_string(lineNo) + ": index (" + std::to_string(g) +
                      ", " + std::to_string(c) + ") is out of range 1.." +
                      std::to_string(nGenes) + " x 1.." + std::to_string(nCells));
    if (!std::isfinite(v))
      throw DataError(mtx + ": line " + std::to_string(lineNo) + ": value is " +
                      (std::isnan(v) ? "NaN" : "infinite"));
    if (v < 0)
      throw DataError(mtx + ": line " + std::to_string(lineNo) + ": negative count " +
                      std::to_string(v));
    gi.push_back(static_cast<std::int32_t>(g - 1));
    ci.push_back(static_cast<std::int32_t>(c - 1));
    vals.push_back(static_cast<float>(v));
  }
  if (static_cast<long long>(vals.size()) != nnz)
    throw DataError(mtx + ": the header says " + std::to_string(nnz) + " entries, the file has " +
                    std::to_string(vals.size()) + " (truncated, or the header count disagrees)");
  CellData d;
  CsrMatrix& X = d.X;
  X.rows = nCells;
  X.cols = nGenes;
  X.indptr.assign(static_cast<std::size_t>(nCells + 1), 0);
  for (auto c : ci) ++X.indptr[c + 1];
  for (long long c = 0; c < nCells; ++c) X.indptr[c + 1] += X.indptr[c];
  X.indices.resize(vals.size());
  X.data.resize(vals.size());
  std::vector<std::int64_t> next(X.indptr.begin(), X.indptr.end() - 1);
  for (std::size_t k = 0; k < vals.size(); ++k) {
    const auto dst = next[ci[k]]++;
    X.indices[dst] = gi[k];
    X.data[dst] = vals[k];
  }
  for (long long c = 0; c < nCells; ++c) {
    std::vector<std::pair<std::int32_t, float>> row;
    for (auto k = X.indptr[c]; k < X.indptr[c + 1]; ++k) row.push_back({X.indices[k], X.data[k]});
    std::sort(row.begin(), row.end());
    for (std::size_t j = 0; j < row.size(); ++j) {
      if (j > 0 && row[j].first == row[j - 1].first)
        throw DataError(mtx + ": gene " + std::to_string(row[j].first + 1) + " of cell " +
                        std::to_string(c + 1) + " is listed twice");
      X.indices[X.indptr[c] + j] = row[j].first;
      X.data[X.indptr[c] + j] = row[j].second;
    }
  }
  const auto geneLines = splitLines(readMaybeGz(genes));
  const auto cellLines = splitLines(readMaybeGz(barcodes));
  if (static_cast<long long>(geneLines.size()) != nGenes)
    throw DataError(genes + " lists " + std::to_string(geneLines.size()) + " genes, " +
                    fileName(mtx) + " has " + std::to_string(nGenes));
  if (static_cast<long long>(cellLines.size()) != nCells)
    throw DataError(barcodes + " lists " + std::to_string(cellLines.size()) + " barcodes, " +
                    fileName(mtx) + " has " + std::to_string(nCells));
  X.dropZeros();
  std::vector<std::string> symbols, types;
  for (const auto& l : geneLines) {
    const auto f = splitFields(l, '\t');
    d.var.index.push_back(f[0]);
    symbols.push_back(f.size() > 1 ? f[1] : f[0]);
    types.push_back(f.size() > 2 ? f[2] : "");
  }
  d.var.columns.push_back(CellColumn::fromStrings("gene_symbols", symbols));
  if (genes.find("features") != std::string::npos)
    d.var.columns.push_back(CellColumn::fromStrings("feature_types", types));
  for (const auto& l : cellLines) d.obs.index.push_back(splitFields(l, '\t')[0]);
  d.source = std::string("10x Matrix Market ") +
             (genes.find("features") != std::string::npos ? "v3 " : "v2 ") + fileName(dir);
  return d;
}

void writeExpressionCsv(const std::string& path, const CellData& d, bool cellsByGenes) {
  std::string out;
  out.reserve(static_cast<std::size_t>(d.cells() * d.genes() * 3));
  char buf[32];
  auto num = [&](float v) {
    if (v == 0) {
      out += '0';
      return;
    }
    std::snprintf(buf, sizeof buf, "%.9g", v);
    out += buf;
  };
  if (cellsByGenes) {
    out += "cell";
    for (const auto& g : d.var.index) out += ',' + csvField(g);
    out += '\n';
    const auto dense = d.X.toDense();
    for (std::int64_t c = 0; c < d.cells(); ++c) {
      out += csvField(d.obs.index[c]);
      for (std::int64_t g = 0; g < d.genes(); ++g) out += ',', num(dense[c * d.genes() + g]);
      out += '\n';
    }
  } else {
    out += "gene";
    for (const auto& c : d.obs.index) out += ',' + csvField(c);
    out += '\n';
    const CsrMatrix t = d.X.transposed();
    std::vector<float> row(static_cast<std::size_t>(d.cells()));
    for (std::int64_t g = 0; g < d.genes(); ++g) {
      std::fill(row.begin(), row.end(), 0.0f);
      for (auto k = t.indptr[g]; k < t.indptr[g + 1]; ++k) row[t.indices[k]] = t.data[k];
      out += csvField(d.var.index[g]);
      for (float v : row) out += ',', num(v);
      out += '\n';
    }
  }
  writeFileAtomic(path, out);
}

void writeObsCsv(const std::string& path, const CellTable& obs) {
  std::string out = "cell";
  for (const auto& c : obs.columns) out += ',' + csvField(c.name);
  out += '\n';
  for (std::size_t r = 0; r < obs.index.size(); ++r) {
    out += csvField(obs.index[r]);
    for (const auto& c : obs.columns) out += ',' + csvField(c.label(r));
    out += '\n';
  }
  writeFileAtomic(path, out);
}

void write10xFolder(const std::string& dir, const CellData& d) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    throw std::runtime_error("cannot create folder " + dir + ": " + std::strerror(errno));
  std::string m = "%%MatrixMarket matrix coordinate real general\n%written by GenLab\n";
  m += std::to_string(d.genes()) + ' ' + std::to_string(d.cells()) + ' ' +
       std::to_string(d.X.nnz()) + '\n';
  char buf[64];
  for (std::int64_t c = 0; c < d.cells(); ++c)
    for (auto k = d.X.indptr[c]; k < d.X.indptr[c + 1]; ++k) {
      std::snprintf(buf, sizeof buf, "%d %lld %.9g\n", d.X.indices[k] + 1,
                    static_cast<long long>(c + 1), d.X.data[k]);
      m += buf;
    }
  const CellColumn* sym = d.var.find("gene_symbols");
  std::string f, b;
  for (std::size_t g = 0; g < d.var.index.size(); ++g)
    f += d.var.index[g] + '\t' + (sym ? sym->label(g) : d.var.index[g]) + "\tGene Expression\n";
  for (const auto& c : d.obs.index) b += c + '\n';
  writeGzAtomic(dir + "/matrix.mtx.gz", m);
  writeGzAtomic(dir + "/features.tsv.gz", f);
  writeGzAtomic(dir + "/barcodes.tsv.gz", b);
}

}  // namespace genlab::core
