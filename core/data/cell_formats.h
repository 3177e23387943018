#pragma once
// The single-cell file formats one by one (openCellData in cell_data.h picks
// among them by content). Every reader throws DataError naming the file and
// the fault; every writer is atomic. Torch-free, HDF5-free header.
#include <string>

#include "core/data/cell_data.h"

namespace genlab::core {

// AnnData .h5ad as its on-disk spec (anndata >= 0.7/0.8) lays it out: X
// dense or a csr_matrix/csc_matrix group (data, indices, indptr, attrs
// encoding-type and shape); obs and var dataframes (_index, column-order;
// categorical groups with codes (-1 = missing) and categories; numeric,
// boolean and string columns); layers/* (counts among them). Older files
// (obs stored as one compound table, categories under uns/<col>_categories
// or obs/__categories) are refused with a message naming that layout.
// HDF5 1.10 does not check every structure a file can hold (a crafted
// variable-length string crashes it: docs/reliability.md), so the read runs
// in a child process (core/data/child_read.h): a crash, a hang past its
// timeout or an out-of-memory there is a DataError here, and nothing else.
CellData readH5ad(const std::string& path);
// The same read in this process: for the fuzz target, which must see a
// crash as one.
CellData readH5adInProcess(const std::string& path);
// Writes X (CSR, float32), obs, var and layers as anndata 0.8 does; atomic.
void writeH5ad(const std::string& path, const CellData& d);

// A 10x Genomics Matrix Market folder: v2 (matrix.mtx, genes.tsv,
// barcodes.tsv) or v3 (matrix.mtx.gz, features.tsv.gz, barcodes.tsv.gz).
// The matrix is genes x cells; values must be non-negative counts.
CellData read10xFolder(const std::string& dir);

// Dense CSV or TSV (the delimiter is detected); first row = column names,
// first column = row names (a header one field short, as R writes it, is
// accepted). Rows are genes or cells as `orientation` says; Auto takes the
// longer side as genes and says so in CellData::source.
CellData readExpressionCsv(const std::string& path, TableOrientation orientation);

// R's save() format (gzip'd RDX2/RDX3, XDR): a reader of GenLab's own for
// what the HSMM package holds: the first numeric matrix with dimnames
// (genes x cells), and the first data.frame (one row per cell).
CellData readRdaMatrix(const std::string& path);
CellTable readRdaDataFrame(const std::string& path);

}  // namespace genlab::core
