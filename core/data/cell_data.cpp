#include "core/data/cell_data.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <unordered_map>

#include "core/data/cell_formats.h"
#include "core/data/image_dataset.h"

namespace genlab::core {

void CsrMatrix::validate(const std::string& what, bool counts) const {
  if (rows < 0 || cols < 0 || cols > INT32_MAX)
    throw DataError(what + ": impossible shape " + std::to_string(rows) + " x " +
                    std::to_string(cols));
  if (static_cast<std::int64_t>(indptr.size()) != rows + 1)
    throw DataError(what + ": indptr has " + std::to_string(indptr.size()) +
                    " entries, the shape needs " + std::to_string(rows + 1));
  if (indices.size() != data.size())
    throw DataError(what + ": " + std::to_string(indices.size()) + " indices but " +
                    std::to_string(data.size()) + " values");
  if (indptr[0] != 0 || indptr[rows] != nnz())
    throw DataError(what + ": indptr runs from " + std::to_string(indptr[0]) + " to " +
                    std::to_string(indptr[rows]) + " but there are " + std::to_string(nnz()) +
                    " stored values (the header count disagrees with the data)");
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t a = indptr[r], b = indptr[r + 1];
    if (b < a || b > nnz())
      throw DataError(what + ": indptr decreases at row " + std::to_string(r));
    for (std::int64_t k = a; k < b; ++k) {
      const std::int32_t c = indices[k];
      if (c < 0 || c >= cols)
        throw DataError(what + ": index " + std::to_string(c) + " in row " + std::to_string(r) +
                        " is out of range (0.." + std::to_string(cols - 1) + ")");
      if (k > a && c <= indices[k - 1])
        throw DataError(what + ": indices of row " + std::to_string(r) +
                        (c == indices[k - 1] ? " repeat " : " are not sorted ") + "(" +
                        std::to_string(indices[k - 1]) + " then " + std::to_string(c) + ")");
      const float v = data[k];
      if (!std::isfinite(v))
        throw DataError(what + ": value at row " + std::to_string(r) + ", column " +
                        std::to_string(c) + " is " + (std::isnan(v) ? "NaN" : "infinite"));
      if (counts && v < 0)
        throw DataError(what + ": negative count " + std::to_string(v) + " at row " +
                        std::to_string(r) + ", column " + std::to_string(c) +
                        " (expression must be counts or non-negative values)");
    }
  }
}

CsrMatrix CsrMatrix::fromDense(const float* values, std::int64_t rows, std::int64_t cols) {
  CsrMatrix m;
  m.rows = rows;
  m.cols = cols;
  m.indptr.assign(1, 0);
  m.indptr.reserve(rows + 1);
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* row = values + r * cols;
    for (std::int64_t c = 0; c < cols; ++c)
      if (row[c] != 0.0f) {
        m.indices.push_back(static_cast<std::int32_t>(c));
        m.data.push_back(row[c]);
      }
    m.indptr.push_back(m.nnz());
  }
  return m;
}

std::vector<float> CsrMatrix::toDense() const {
  std::vector<float> out(static_cast<std::size_t>(rows * cols), 0.0f);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t k = indptr[r]; k < indptr[r + 1]; ++k) out[r * cols + indices[k]] = data[k];
  return out;
}

void CsrMatrix::dropZeros() {
  std::int64_t out = 0;
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t a = indptr[r], b = indptr[r + 1];
    indptr[r] = out;
    for (std::int64_t k = a; k < b; ++k)
      if (data[k] != 0.0f) {
        indices[out] = indices[k];
        data[out] = data[k];
        ++out;
      }
  }
  indptr[rows] = out;
  indices.resize(out);
  data.resize(out);
}

CsrMatrix CsrMatrix::transposed() const {
  CsrMatrix t;
  t.rows = cols;
  t.cols = rows;
  t.indptr.assign(static_cast<std::size_t>(cols + 1), 0);
  for (auto c : indices) ++t.indptr[c + 1];
  for (std::int64_t c = 0; c < cols; ++c) t.indptr[c + 1] += t.indptr[c];
  t.indices.resize(indices.size());
  t.data.resize(data.size());
  std::vector<std::int64_t> next(t.indptr.begin(), t.indptr.end() - 1);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t k = indptr[r]; k < indptr[r + 1]; ++k) {
      const std::int64_t dst = next[indices[k]]++;
      t.indices[dst] = static_cast<std::int32_t>(r);
      t.data[dst] = data[k];
    }
  return t;
}

CsrMatrix CsrMatrix::rowSubset(const std::vector<int>& which) const {
  CsrMatrix m;
  m.rows = static_cast<std::int64_t>(which.size());
  m.cols = cols;
  m.indptr.assign(1, 0);
  for (int r : which) {
    m.indices.insert(m.indices.end(), indices.begin() + indptr[r], indices.begin() + indptr[r + 1]);
    m.data.insert(m.data.end(), data.begin() + indptr[r], data.begin() + indptr[r + 1]);
    m.indptr.push_back(m.nnz());
  }
  return m;
}

CsrMatrix CsrMatrix::colSubset(const std::vector<int>& which) const {
  std::vector<std::int32_t> to(static_cast<std::size_t>(cols), -1);
  for (std::size_t j = 0; j < which.size(); ++j) to[which[j]] = static_cast<std::int32_t>(j);
  CsrMatrix m;
  m.rows = rows;
  m.cols = static_cast<std::int64_t>(which.size());
  m.indptr.assign(1, 0);
  std::vector<std::pair<std::int32_t, float>> row;
  for (std::int64_t r = 0; r < rows; ++r) {
    row.clear();
    for (std::int64_t k = indptr[r]; k < indptr[r + 1]; ++k)
      if (to[indices[k]] >= 0) row.push_back({to[indices[k]], data[k]});
    std::sort(row.begin(), row.end());
    for (auto& [c, v] : row) {
      m.indices.push_back(c);
      m.data.push_back(v);
    }
    m.indptr.push_back(m.nnz());
  }
  return m;
}

std::string CellColumn::label(std::size_t row) const {
  if (categorical) {
    const int c = codes[row];
    return c >= 0 && c < static_cast<int>(categories.size()) ? categories[c] : std::string();
  }
  const double v = values[row];
  if (std::isnan(v)) return {};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

CellColumn CellColumn::fromStrings(const std::string& name, const std::vector<std::string>& v) {
  CellColumn c;
  c.name = name;
  std::unordered_map<std::string, int> seen;
  c.codes.reserve(v.size());
  for (const auto& s : v) {
    if (s.empty() || s == "NA") {
      c.codes.push_back(-1);
      continue;
    }
    auto it = seen.find(s);
    if (it == seen.end()) {
      it = seen.emplace(s, static_cast<int>(c.categories.size())).first;
      c.categories.push_back(s);
    }
    c.codes.push_back(it->second);
  }
  return c;
}

CellColumn CellColumn::subset(const std::vector<int>& rows) const {
  CellColumn c = *this;
  if (categorical) {
    c.codes.clear();
    for (int r : rows) c.codes.push_back(r >= 0 ? codes[r] : -1);
  } else {
    c.values.clear();
    for (int r : rows) c.values.push_back(r >= 0 ? values[r] : std::nan(""));
  }
  return c;
}

const CellColumn* CellTable::find(const std::string& name) const {
  for (const auto& c : columns)
    if (c.name == name) return &c;
  return nullptr;
}

std::vector<std::string> CellTable::columnNames() const {
  std::vector<std::string> n;
  for (const auto& c : columns) n.push_back(c.name);
  return n;
}

CellTable CellTable::subset(const std::vector<int>& rows) const {
  CellTable t;
  for (int r : rows) t.index.push_back(r >= 0 && r < static_cast<int>(index.size()) ? index[r] : "");
  for (const auto& c : columns) t.columns.push_back(c.subset(rows));
  return t;
}

void CellData::checkShapes(const std::string& what) const {
  auto bad = [&](const std::string& m) { throw DataError(what + ": " + m); };
  if (static_cast<std::int64_t>(obs.index.size()) != X.rows)
    bad("obs has " + std::to_string(obs.index.size()) + " rows but X has " +
        std::to_string(X.rows) + " cells");
  if (static_cast<std::int64_t>(var.index.size()) != X.cols)
    bad("var has " + std::to_string(var.index.size()) + " rows but X has " +
        std::to_string(X.cols) + " genes");
  for (const auto& c : obs.columns)
    if (static_cast<std::int64_t>(c.size()) != X.rows)
      bad("obs column '" + c.name + "' has " + std::to_string(c.size()) + " values for " +
          std::to_string(X.rows) + " cells");
  for (const auto& c : var.columns)
    if (static_cast<std::int64_t>(c.size()) != X.cols)
      bad("var column '" + c.name + "' has " + std::to_string(c.size()) + " values for " +
          std::to_string(X.cols) + " genes");
  for (const auto& [name, m] : layers)
    if (m.rows != X.rows || m.cols != X.cols)
      bad("layer '" + name + "' is " + std::to_string(m.rows) + " x " + std::to_string(m.cols) +
          ", X is " + std::to_string(X.rows) + " x " + std::to_string(X.cols));
}

CellData CellData::subsetCells(const std::vector<int>& rows) const {
  CellData d;
  d.X = X.rowSubset(rows);
  for (const auto& [k, m] : layers) d.layers[k] = m.rowSubset(rows);
  d.obs = obs.subset(rows);
  d.var = var;
  d.source = source;
  return d;
}

TableOrientation parseOrientation(const std::string& s) {
  if (s.empty() || s == "auto") return TableOrientation::Auto;
  if (s == "genes-x-cells" || s == "genes") return TableOrientation::GenesByCells;
  if (s == "cells-x-genes" || s == "cells") return TableOrientation::CellsByGenes;
  throw std::invalid_argument("orientation must be auto, genes-x-cells or cells-x-genes, not '" + s +
                              "'");
}

CellTable alignTable(const CellTable& table, const std::vector<std::string>& ids,
                     const std::string& what) {
  std::unordered_map<std::string, int> at;
  for (std::size_t i = 0; i < table.index.size(); ++i) at.emplace(table.index[i], int(i));
  std::vector<int> rows;
  int matched = 0;
  for (const auto& id : ids) {
    auto it = at.find(id);
    rows.push_back(it == at.end() ? -1 : it->second);
    matched += it != at.end();
  }
  if (matched == 0 && !ids.empty())
    throw DataError(what + ": none of its " + std::to_string(table.index.size()) +
                    " ids matches a cell id of the data (first cell id: '" + ids[0] + "')");
  CellTable t = table.subset(rows);
  t.index = ids;
  return t;
}

std::string describeStart(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char buf[16] = {};
  in.read(buf, sizeof buf);
  const auto n = in.gcount();
  std::string text;
  bool printable = n > 0;
  for (int i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(buf[i]);
    if (c == '\n' || c == '\r' || c == '\t') text += ' ';
    else if (c >= 32 && c < 127) text += char(c);
    else printable = false;
  }
  if (n == 0) return "an empty file";
  if (printable) return "text (\"" + text + "\")";
  char hex[8];
  std::string h;
  for (int i = 0; i < std::min<std::streamsize>(n, 8); ++i) {
    std::snprintf(hex, sizeof hex, "%02x ", static_cast<unsigned char>(buf[i]));
    h += hex;
  }
  return "binary data (" + h.substr(0, h.size() - 1) + ")";
}

namespace {
enum class Kind { Hdf5, Gzip, Text, Binary, Empty };
Kind sniff(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char b[8] = {};
  in.read(reinterpret_cast<char*>(b), 8);
  const auto n = in.gcount();
  if (n == 0) return Kind::Empty;
  static const unsigned char hdf[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  if (n == 8 && std::equal(b, b + 8, hdf)) return Kind::Hdf5;
  if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) return Kind::Gzip;
  for (int i = 0; i < n; ++i)
    if (b[i] < 9 || (b[i] > 13 && b[i] < 32)) return Kind::Binary;
  return Kind::Text;
}
bool endsWith(const std::string& s, const std::string& e) {
  return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0;
}
}  // namespace

CellData openCellData(const std::string& path, const CellReadOptions& options) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw DataError(path + ": file or folder not found");
  CellData d;
  if (S_ISDIR(st.st_mode)) {
    d = read10xFolder(path);
  } else {
    const Kind k = sniff(path);
    const bool saysH5 = endsWith(path, ".h5ad") || endsWith(path, ".h5");
    const bool saysRda = endsWith(path, ".rda") || endsWith(path, ".RData");
    const bool saysText = endsWith(path, ".csv") || endsWith(path, ".tsv") ||
                          endsWith(path, ".txt");
    if (k == Kind::Empty) throw DataError(path + ": the file is empty");
    if (saysH5 && k != Kind::Hdf5)
      throw DataError(path + " is not an HDF5 file, as .h5ad says: it starts with " +
                      describeStart(path));
    if (saysText && k != Kind::Text)
      throw DataError(path + " is not a text table, as its extension says: it starts with " +
                      (k == Kind::Hdf5 ? std::string("the HDF5 signature (an .h5ad?)")
                                       : describeStart(path)));
    if (k == Kind::Hdf5) {
      d = readH5ad(path);
    } else if (k == Kind::Gzip && (saysRda || !saysText)) {
      d = readRdaMatrix(path);
    } else if (k == Kind::Text) {
      d = readExpressionCsv(path, options.orientation);
    } else {
      throw DataError(path + ": not a format the Cells lab reads (AnnData .h5ad, a 10x MTX "
                      "folder, a dense CSV/TSV, an R .rda matrix); it starts with " +
                      describeStart(path));
    }
  }
  if (!options.obsFile.empty()) {
    CellTable extra = endsWith(options.obsFile, ".rda") ? readRdaDataFrame(options.obsFile)
                                                        : readObsCsv(options.obsFile);
    CellTable aligned = alignTable(extra, d.obs.index, options.obsFile);
    for (auto& c : aligned.columns) {
      bool replaced = false;
      for (auto& old : d.obs.columns)
        if (old.name == c.name) old = c, replaced = true;
      if (!replaced) d.obs.columns.push_back(std::move(c));
    }
  }
  d.checkShapes(path);
  return d;
}

}  // namespace genlab::core
