#pragma once
// CellData through the pipe of a reader run in a child process
// (core/data/child_read.h): what readH5ad's child sends and its parent reads.
// Torch-free.
#include <string>

#include "core/data/cell_data.h"
#include "core/data/child_read.h"

namespace genlab::core {

void writeCellData(ChildWriter& w, const CellData& d);
// Reads what writeCellData wrote and checks it as if it came from a file
// (the child may have been corrupted by the library it ran): the matrices
// validated, every categorical code within its categories, every column the
// kind it says, the shapes agreeing. Throws DataError naming `what`.
CellData readCellData(ChildReader& r, const std::string& what);

}  // namespace genlab::core
