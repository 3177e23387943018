#pragma once
// Single-cell expression in memory, whatever file it came from (AnnData
// .h5ad, a 10x Matrix Market folder, a dense CSV, an R .rda): a sparse
// cells x genes matrix (CSR, float) plus obs (one row per cell) and var (one
// row per gene) tables. Torch-free; every reader throws DataError
// (core/data/image_dataset.h) with a message that names the file and the fault.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace genlab::core {

// Compressed sparse rows: row r holds data[indptr[r] .. indptr[r+1]) at
// columns indices[...], strictly increasing within a row.
struct CsrMatrix {
  std::int64_t rows = 0, cols = 0;
  std::vector<std::int64_t> indptr{0};
  std::vector<std::int32_t> indices;
  std::vector<float> data;

  std::int64_t nnz() const { return static_cast<std::int64_t>(data.size()); }
  // Throws DataError naming `what` for: a wrong indptr length or a
  // decreasing indptr, indices out of range, unsorted or repeated, NaN or
  // infinite values, negative values when `counts` is set.
  void validate(const std::string& what, bool counts) const;
  // Row-major dense rows x cols values.
  static CsrMatrix fromDense(const float* values, std::int64_t rows, std::int64_t cols);
  std::vector<float> toDense() const;
  CsrMatrix transposed() const;
  // Removes explicitly stored zeros (every reader does, so that a matrix
  // reads the same from any format).
  void dropZeros();  // CSR of the transpose (= CSC of this)
  CsrMatrix rowSubset(const std::vector<int>& rows) const;
  CsrMatrix colSubset(const std::vector<int>& cols) const;
};

// A column of obs or var: categorical (codes into categories, -1 = missing)
// or numeric (NaN = missing). String columns are read as categoricals.
struct CellColumn {
  std::string name;
  bool categorical = true;
  bool ordered = false;
  std::vector<std::string> categories;
  std::vector<std::int32_t> codes;
  std::vector<double> values;

  std::size_t size() const { return categorical ? codes.size() : values.size(); }
  // The category (or the number as text); "" when missing.
  std::string label(std::size_t row) const;
  static CellColumn fromStrings(const std::string& name, const std::vector<std::string>& v);
  CellColumn subset(const std::vector<int>& rows) const;
};

struct CellTable {
  std::vector<std::string> index;  // obs_names / var_names
  std::vector<CellColumn> columns;
  const CellColumn* find(const std::string& name) const;
  std::vector<std::string> columnNames() const;
  CellTable subset(const std::vector<int>& rows) const;
};

struct CellData {
  CsrMatrix X;                            // cells x genes
  std::map<std::string, CsrMatrix> layers;  // e.g. "counts", same shape as X
  CellTable obs, var;
  std::string source;  // what was read, e.g. "AnnData (CSR X) pbmc.h5ad"

  std::int64_t cells() const { return X.rows; }
  std::int64_t genes() const { return X.cols; }
  // Throws DataError unless obs/var/layers agree with X.
  void checkShapes(const std::string& what) const;
  CellData subsetCells(const std::vector<int>& rows) const;
};

// Which way a dense text table runs.
enum class TableOrientation { Auto, GenesByCells, CellsByGenes };
TableOrientation parseOrientation(const std::string& s);  // auto | genes-x-cells | cells-x-genes

struct CellReadOptions {
  std::string obsFile;  // CSV (or .rda data.frame) of per-cell metadata, first column = cell id
  TableOrientation orientation = TableOrientation::Auto;
};

// Opens `path` by its content (not its extension, which must agree): an
// HDF5 file (.h5ad), a folder (10x MTX v2 or v3), a gzip'd R .rda, or text
// (dense CSV/TSV). Then joins `options.obsFile` when given.
CellData openCellData(const std::string& path, const CellReadOptions& options = {});

// Per-cell metadata from a CSV (first column = cell id; a column whose
// every non-empty value parses as a number is numeric, else categorical).
CellTable readObsCsv(const std::string& path);
// Reorders `table` to `ids` (missing rows: -1 / NaN). Throws DataError when
// no id matches.
CellTable alignTable(const CellTable& table, const std::vector<std::string>& ids,
                     const std::string& what);

// Writers (atomic: temp file, then rename).
// Dense CSV, genes x cells (first row: "gene" then cell ids), as 10x's and
// Seurat's tables run; `cellsByGenes` writes the transpose.
void writeExpressionCsv(const std::string& path, const CellData& d, bool cellsByGenes = false);
void writeObsCsv(const std::string& path, const CellTable& obs);
// 10x v3 folder: matrix.mtx.gz, features.tsv.gz, barcodes.tsv.gz.
void write10xFolder(const std::string& dir, const CellData& d);

// Helpers shared by the readers.
std::string csvField(const std::string& s);  // quoted when it must be
std::string describeStart(const std::string& path);  // "text (… first bytes …)" for messages

}  // namespace genlab::core
