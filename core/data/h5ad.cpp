// AnnData .h5ad with Debian's HDF5 C++ library, after anndata's on-disk
// specification (encoding-type / encoding-version attributes on every
// element). Read: X (dense array, csr_matrix, csc_matrix), obs/var
// (dataframe: _index, column-order, categorical / numeric / string
// columns), layers/*. Write: anndata 0.8's layout with X as csr_matrix.
#include <H5Cpp.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "core/data/cell_data_wire.h"
#include "core/data/cell_formats.h"
#include "core/data/child_read.h"
#include "core/data/file_checks.h"
#include "core/data/image_dataset.h"
#include "core/data/read_limits.h"

namespace genlab::core {

namespace {

struct Reader {
  std::string path;
  std::uint64_t fileSize = 0;
  H5::H5File file;

  [[noreturn]] void fail(const std::string& m) const { throw DataError(path + ": " + m); }

  // Bytes a dataset may make us allocate: what the file can hold,
  // times the compression the read limits allow.
  void checkAlloc(const std::string& name, double bytes) const {
    const double cap = std::max<double>(double(kExpansionFloorBytes),
                                        double(fileSize) * double(readLimits().maxExpansion));
    if (bytes > cap)
      fail("'" + name + "' asks for " + std::to_string(static_cast<unsigned long long>(std::min(bytes, 1e19))) +
           " bytes, " + overLimit(static_cast<std::uint64_t>(cap), "bytes for this file's size",
                                  kMaxExpansionOption));
  }

  static bool hasAttr(const H5::H5Object& o, const char* name) { return o.attrExists(name); }

  std::string strAttr(const H5::H5Object& o, const char* name) const {
    if (!o.attrExists(name)) return {};
    H5::Attribute a = o.openAttribute(name);
    if (a.getTypeClass() != H5T_STRING) return {};
    std::string s;
    a.read(a.getStrType(), s);
    return s;
  }

  std::vector<std::string> strArrayAttr(const H5::H5Object& o, const char* name) const {
    std::vector<std::string> out;
    if (!o.attrExists(name)) return out;
    H5::Attribute a = o.openAttribute(name);
    const hssize_t n = a.getSpace().getSimpleExtentNpoints();
    if (n <= 0 || a.getTypeClass() != H5T_STRING) return out;
    H5::StrType st = a.getStrType();
    if (st.isVariableStr()) {
      std::vector<char*> p(static_cast<std::size_t>(n), nullptr);
      a.read(st, p.data());
      for (auto* s : p) out.emplace_back(s ? s : "");
      H5::DataSet::vlenReclaim(p.data(), st, a.getSpace());
    } else {
      const std::size_t len = st.getSize();
      std::vector<char> buf(static_cast<std::size_t>(n) * len);
      a.read(st, buf.data());
      for (hssize_t i = 0; i < n; ++i)
        out.emplace_back(buf.data() + i * len, strnlen(buf.data() + i * len, len));
    }
    return out;
  }

  std::vector<std::int64_t> intArrayAttr(const H5::H5Object& o, const char* name) const {
    if (!o.attrExists(name)) return {};
    H5::Attribute a = o.openAttribute(name);
    const hssize_t n = a.getSpace().getSimpleExtentNpoints();
    if (n <= 0 || n > 16 || a.getTypeClass() != H5T_INTEGER) fail("attribute '" +
                                                                   std::string(name) + "' is not a short integer array");
    std::vector<std::int64_t> v(static_cast<std::size_t>(n));
    a.read(H5::PredType::NATIVE_INT64, v.data());
    return v;
  }

  static hsize_t length1d(const H5::DataSet& ds, const std::string& name, const Reader& r) {
    H5::DataSpace sp = ds.getSpace();
    if (sp.getSimpleExtentNdims() != 1) r.fail("'" + name + "' is not one-dimensional");
    hsize_t n = 0;
    sp.getSimpleExtentDims(&n);
    return n;
  }

  std::vector<std::string> strings(const H5::DataSet& ds, const std::string& name) const {
    if (ds.getTypeClass() != H5T_STRING) fail("'" + name + "' should hold strings");
    const hsize_t n = length1d(ds, name, *this);
    checkAlloc(name, double(n) * 8);
    std::vector<std::string> out;
    out.reserve(n);
    if (n == 0) return out;
    H5::StrType st = ds.getStrType();
    if (st.isVariableStr()) {
      std::vector<char*> p(n, nullptr);
      ds.read(p.data(), st);
      for (auto* s : p) out.emplace_back(s ? s : "");
      H5::DataSet::vlenReclaim(p.data(), st, ds.getSpace());
    } else {
      const std::size_t len = st.getSize();
      checkAlloc(name, double(n) * double(len));
      std::vector<char> buf(n * len);
      ds.read(buf.data(), st);
      for (hsize_t i = 0; i < n; ++i)
        out.emplace_back(buf.data() + i * len, strnlen(buf.data() + i * len, len));
    }
    return out;
  }

  template <class T>
  std::vector<T> numbers(const H5::DataSet& ds, const std::string& name,
                         const H5::PredType& mem) const {
    const auto cls = ds.getTypeClass();
    const hsize_t n = length1d(ds, name, *this);
    checkAlloc(name, double(n) * sizeof(T));
    std::vector<T> v(n);
    if (n == 0) return v;
    if (cls == H5T_ENUM) {  // h5py's booleans: enum over int8
      H5::EnumType et = ds.getEnumType();
      if (et.getSize() != 1) fail("'" + name + "' is an enum column GenLab cannot read");
      std::vector<std::int8_t> b(n);
      ds.read(b.data(), et);
      for (hsize_t i = 0; i < n; ++i) v[i] = static_cast<T>(b[i]);
      return v;
    }
    if (cls != H5T_INTEGER && cls != H5T_FLOAT) fail("'" + name + "' should hold numbers");
    ds.read(v.data(), mem);
    return v;
  }

  // The kind of object `name` is; a DataError when HDF5 cannot tell (its
  // header is damaged), rather than reading an unset H5O_info_t.
  H5O_type_t objectType(const H5::H5Location& parent, const std::string& name) const {
    H5O_info_t info;
    if (H5Oget_info_by_name(parent.getId(), name.c_str(), &info, H5P_DEFAULT) < 0)
      fail("cannot read the header of '" + name + "' (damaged file?)");
    return info.type;
  }

  CsrMatrix matrix(H5::Group& parent, const std::string& name, bool counts) {
    const std::string full = name;
    const H5O_type_t type = objectType(parent, name);
    if (type == H5O_TYPE_DATASET) {
      H5::DataSet ds = parent.openDataSet(name);
      H5::DataSpace sp = ds.getSpace();
      if (sp.getSimpleExtentNdims() != 2) fail("'" + full + "' is not a 2-D array");
      hsize_t dims[2];
      sp.getSimpleExtentDims(dims);
      if (ds.getTypeClass() != H5T_FLOAT && ds.getTypeClass() != H5T_INTEGER)
        fail("'" + full + "' is not numeric");
      checkAlloc(full, double(dims[0]) * double(dims[1]) * 4);
      // Row blocks: never the whole dense matrix in float and in CSR at once.
      CsrMatrix m;
      m.rows = static_cast<std::int64_t>(dims[0]);
      m.cols = static_cast<std::int64_t>(dims[1]);
      m.indptr.assign(1, 0);
      const hsize_t block = std::max<hsize_t>(1, (hsize_t(1) << 24) / std::max<hsize_t>(1, dims[1]));
      std::vector<float> buf;
      for (hsize_t r0 = 0; r0 < dims[0]; r0 += block) {
        const hsize_t nr = std::min(block, dims[0] - r0);
        hsize_t off[2] = {r0, 0}, cnt[2] = {nr, dims[1]};
        H5::DataSpace fs = ds.getSpace();
        fs.selectHyperslab(H5S_SELECT_SET, cnt, off);
        H5::DataSpace ms(2, cnt);
        buf.resize(nr * dims[1]);
        ds.read(buf.data(), H5::PredType::NATIVE_FLOAT, ms, fs);
        for (hsize_t r = 0; r < nr; ++r) {
          for (hsize_t c = 0; c < dims[1]; ++c) {
            const float v = buf[r * dims[1] + c];
            if (v != 0.0f) {
              m.indices.push_back(static_cast<std::int32_t>(c));
              m.data.push_back(v);
            }
          }
          m.indptr.push_back(m.nnz());
        }
      }
      m.validate(path + " '" + full + "'", counts);
      return m;
    }
    if (type != H5O_TYPE_GROUP) fail("'" + full + "' is neither an array nor a sparse group");
    H5::Group g = parent.openGroup(name);
    std::string enc = strAttr(g, "encoding-type");
    if (enc.empty()) enc = strAttr(g, "h5sparse_format") + "_matrix";  // anndata < 0.7
    if (enc != "csr_matrix" && enc != "csc_matrix")
      fail("'" + full + "' is a group with encoding-type '" + enc +
           "'; GenLab reads dense arrays, csr_matrix and csc_matrix");
    auto shape = intArrayAttr(g, "shape");
    if (shape.size() != 2 || shape[0] < 0 || shape[1] < 0)
      fail("'" + full + "' has no valid 'shape' attribute");
    for (const char* part : {"data", "indices", "indptr"})
      if (!g.nameExists(part)) fail("'" + full + "' has no '" + part + "' dataset");
    const bool csr = enc == "csr_matrix";
    const std::int64_t major = csr ? shape[0] : shape[1], minor = csr ? shape[1] : shape[0];
    if (minor > INT32_MAX) fail("'" + full + "' has more than 2^31 columns");
    CsrMatrix m;
    m.rows = major;
    m.cols = minor;
    H5::DataSet dData = g.openDataSet("data"), dIdx = g.openDataSet("indices"),
                dPtr = g.openDataSet("indptr");
    const hsize_t nPtr = length1d(dPtr, full + "/indptr", *this);
    if (static_cast<std::int64_t>(nPtr) != major + 1)
      fail("'" + full + "/indptr' has " + std::to_string(nPtr) + " entries, shape " +
           std::to_string(shape[0]) + " x " + std::to_string(shape[1]) + " needs " +
           std::to_string(major + 1) + " (header count disagrees with the data)");
    const hsize_t nData = length1d(dData, full + "/data", *this);
    const hsize_t nIdx = length1d(dIdx, full + "/indices", *this);
    if (nData != nIdx)
      fail("'" + full + "' has " + std::to_string(nData) + " values but " +
           std::to_string(nIdx) + " indices");
    m.indptr = numbers<std::int64_t>(dPtr, full + "/indptr", H5::PredType::NATIVE_INT64);
    m.indices = numbers<std::int32_t>(dIdx, full + "/indices", H5::PredType::NATIVE_INT32);
    m.data = numbers<float>(dData, full + "/data", H5::PredType::NATIVE_FLOAT);
    m.validate(path + " '" + full + "' (" + enc + ")", counts);
    m.dropZeros();
    return csr ? m : m.transposed();
  }

  CellColumn column(H5::Group& df, const std::string& name, hsize_t rows) {
    const H5O_type_t type = objectType(df, name);
    CellColumn c;
    c.name = name;
    const std::string where = df.getObjName() + "/" + name;
    if (type == H5O_TYPE_GROUP) {
      H5::Group g = df.openGroup(name);
      const std::string enc = strAttr(g, "encoding-type");
      if (enc != "categorical")
        fail("'" + where + "' has encoding-type '" + enc + "'; GenLab reads categorical groups");
      if (!g.nameExists("codes") || !g.nameExists("categories"))
        fail("categorical '" + where + "' needs 'codes' and 'categories'");
      H5::DataSet cats = g.openDataSet("categories");
      if (cats.getTypeClass() == H5T_STRING) {
        c.categories = strings(cats, where + "/categories");
      } else {
        for (double v : numbers<double>(cats, where + "/categories", H5::PredType::NATIVE_DOUBLE)) {
          char buf[64];
          std::snprintf(buf, sizeof buf, "%.10g", v);
          c.categories.push_back(buf);
        }
      }
      c.codes = numbers<std::int32_t>(g.openDataSet("codes"), where + "/codes",
                                      H5::PredType::NATIVE_INT32);
      for (auto code : c.codes)
        if (code < -1 || code >= static_cast<std::int32_t>(c.categories.size()))
          fail("'" + where + "/codes' holds " + std::to_string(code) + ", but there are " +
               std::to_string(c.categories.size()) + " categories (-1 means missing)");
      if (g.attrExists("ordered")) {
        H5::Attribute a = g.openAttribute("ordered");
        std::int8_t b = 0;
        // One value of one byte: HDF5 writes as many values, as wide, as the
        // attribute holds (fuzz_h5ad: a wider enum overflowed b).
        if (a.getSpace().getSimpleExtentNpoints() != 1)
          fail("'" + where + "' attribute 'ordered' is not a single value");
        if (a.getTypeClass() == H5T_ENUM) {
          H5::EnumType et = a.getEnumType();
          if (et.getSize() != 1) fail("'" + where + "' attribute 'ordered' is an enum GenLab cannot read");
          a.read(et, &b);
        }
        else if (a.getTypeClass() == H5T_INTEGER) a.read(H5::PredType::NATIVE_INT8, &b);
        c.ordered = b != 0;
      }
    } else if (type == H5O_TYPE_DATASET) {
      H5::DataSet ds = df.openDataSet(name);
      if (ds.getTypeClass() == H5T_STRING) {
        c = CellColumn::fromStrings(name, strings(ds, where));
      } else {
        if (ds.attrExists("categories"))
          fail("'" + where + "' is an old-style categorical (codes with a 'categories' reference "
               "into obs/__categories, anndata < 0.7); re-save it with anndata >= 0.8");
        c.categorical = false;
        c.values = numbers<double>(ds, where, H5::PredType::NATIVE_DOUBLE);
      }
    } else {
      fail("'" + where + "' is not a column");
    }
    if (c.size() != rows)
      fail("column '" + where + "' has " + std::to_string(c.size()) + " values, the index has " +
           std::to_string(rows));
    return c;
  }

  CellTable dataframe(const std::string& name) {
    CellTable t;
    if (!file.nameExists(name)) fail("no '" + name + "' dataframe");
    if (objectType(file, name) == H5O_TYPE_DATASET)
      fail("'" + name + "' is one compound table: the layout of anndata < 0.7 (with categories "
           "under uns/<col>_categories), which GenLab does not read; re-save the file with "
           "anndata >= 0.8");
    H5::Group g = file.openGroup(name);
    if (g.nameExists("__categories"))
      fail("'" + name + "/__categories' is the categorical layout of anndata 0.7 (legacy), which "
           "GenLab does not read; re-save the file with anndata >= 0.8");
    const std::string enc = strAttr(g, "encoding-type");
    if (!enc.empty() && enc != "dataframe")
      fail("'" + name + "' has encoding-type '" + enc + "', expected 'dataframe'");
    std::string index = strAttr(g, "_index");
    if (index.empty()) index = "_index";
    if (!g.nameExists(index)) fail("'" + name + "' has no index dataset '" + index + "'");
    H5::DataSet ids = g.openDataSet(index);
    if (ids.getTypeClass() == H5T_STRING) {
      t.index = strings(ids, name + "/" + index);
    } else {
      for (auto v : numbers<std::int64_t>(ids, name + "/" + index, H5::PredType::NATIVE_INT64))
        t.index.push_back(std::to_string(v));
    }
    std::vector<std::string> order = strArrayAttr(g, "column-order");
    if (!g.attrExists("column-order")) {  // be lenient: every member but the index
      for (hsize_t i = 0; i < g.getNumObjs(); ++i) {
        const std::string n = g.getObjnameByIdx(i);
        if (n != index && n != "__categories") order.push_back(n);
      }
    }
    for (const auto& col : order) {
      if (!g.nameExists(col)) fail("'" + name + "' lists column '" + col + "' but has no such member");
      t.columns.push_back(column(g, col, t.index.size()));
    }
    return t;
  }
};

// ---- writing ----------------------------------------------------------------

H5::StrType vlenStr() {
  H5::StrType t(H5::PredType::C_S1, H5T_VARIABLE);
  t.setCset(H5T_CSET_UTF8);
  return t;
}

void putStrAttr(H5::H5Object& o, const char* name, const std::string& v) {
  H5::StrType t = vlenStr();
  H5::Attribute a = o.createAttribute(name, t, H5::DataSpace(H5S_SCALAR));
  const char* p = v.c_str();
  a.write(t, &p);
}

void putEncoding(H5::H5Object& o, const char* type, const char* version) {
  putStrAttr(o, "encoding-type", type);
  putStrAttr(o, "encoding-version", version);
}

void putStrArrayAttr(H5::H5Object& o, const char* name, const std::vector<std::string>& v) {
  if (v.empty()) {  // anndata writes an empty float64 array here
    hsize_t n = 0;
    H5::Attribute a = o.createAttribute(name, H5::PredType::IEEE_F64LE, H5::DataSpace(1, &n));
    return;
  }
  hsize_t n = v.size();
  H5::StrType t = vlenStr();
  H5::Attribute a = o.createAttribute(name, t, H5::DataSpace(1, &n));
  std::vector<const char*> p;
  for (const auto& s : v) p.push_back(s.c_str());
  a.write(t, p.data());
}

void putStrings(H5::Group& g, const std::string& name, const std::vector<std::string>& v) {
  hsize_t n = v.size();
  H5::StrType t = vlenStr();
  H5::DataSet ds = g.createDataSet(name, t, H5::DataSpace(1, &n));
  std::vector<const char*> p;
  for (const auto& s : v) p.push_back(s.c_str());
  if (n) ds.write(p.data(), t);
  putEncoding(ds, "string-array", "0.2.0");
}

template <class T>
H5::DataSet putArray(H5::Group& g, const std::string& name, const std::vector<T>& v,
                     const H5::PredType& file, const H5::PredType& mem) {
  hsize_t n = v.size();
  H5::DataSet ds = g.createDataSet(name, file, H5::DataSpace(1, &n));
  if (n) ds.write(v.data(), mem);
  return ds;
}

void putCsr(H5::Group& parent, const std::string& name, const CsrMatrix& m) {
  H5::Group g = parent.createGroup(name);
  putEncoding(g, "csr_matrix", "0.1.0");
  hsize_t two = 2;
  const std::int64_t shape[2] = {m.rows, m.cols};
  H5::Attribute a = g.createAttribute("shape", H5::PredType::STD_I64LE, H5::DataSpace(1, &two));
  a.write(H5::PredType::NATIVE_INT64, shape);
  putArray(g, "data", m.data, H5::PredType::IEEE_F32LE, H5::PredType::NATIVE_FLOAT);
  putArray(g, "indices", m.indices, H5::PredType::STD_I32LE, H5::PredType::NATIVE_INT32);
  putArray(g, "indptr", m.indptr, H5::PredType::STD_I64LE, H5::PredType::NATIVE_INT64);
}

void putDataframe(H5::H5File& f, const std::string& name, const CellTable& t) {
  H5::Group g = f.createGroup(name);
  putEncoding(g, "dataframe", "0.2.0");
  putStrAttr(g, "_index", "_index");
  putStrArrayAttr(g, "column-order", t.columnNames());
  putStrings(g, "_index", t.index);
  for (const auto& c : t.columns) {
    if (c.categorical) {
      H5::Group cg = g.createGroup(c.name);
      putEncoding(cg, "categorical", "0.2.0");
      // h5py's boolean: an enum over int8 with FALSE = 0 and TRUE = 1
      // (anndata requires a real bool here).
      std::int8_t ordered = c.ordered, v = 0;
      H5::EnumType boolType(H5::PredType::NATIVE_INT8);
      boolType.insert("FALSE", &v);
      v = 1;
      boolType.insert("TRUE", &v);
      H5::Attribute a = cg.createAttribute("ordered", boolType, H5::DataSpace(H5S_SCALAR));
      a.write(boolType, &ordered);
      H5::DataSet codes = putArray(cg, "codes", c.codes, H5::PredType::STD_I32LE,
                                   H5::PredType::NATIVE_INT32);
      putEncoding(codes, "array", "0.2.0");
      putStrings(cg, "categories", c.categories);
    } else {
      H5::DataSet ds = putArray(g, c.name, c.values, H5::PredType::IEEE_F64LE,
                                H5::PredType::NATIVE_DOUBLE);
      putEncoding(ds, "array", "0.2.0");
    }
  }
}

// HDF5 1.10 (Debian 12) trusts the sizes of the objects in a global heap
// collection (where variable-length strings live): one declaring more bytes
// than its collection holds made H5HG_read copy past its buffers (found by
// fuzz_h5ad: a string's size patched from 5 to 0x3f000000000005). Before HDF5
// opens the file, every collection ("GCOL", version 1) is walked here and
// each object must end inside it, and the collection inside the file. Not
// covered: a string whose length in its dataset disagrees with its heap
// object (HDF5 copies the object's size into a buffer of the dataset's).
void checkGlobalHeaps(const std::string& path, std::uint64_t fileSize) {
  std::ifstream in(path, std::ios::binary);
  auto readAt = [&](std::uint64_t at, char* out, std::size_t n) {
    in.clear();
    in.seekg(static_cast<std::streamoff>(at));
    return static_cast<bool>(in.read(out, static_cast<std::streamsize>(n)));
  };
  auto le = [](const char* p, int n) {
    std::uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(p[i]);
    return v;
  };
  // The superblock (at 0, or after a user block of 512, 1024, ... bytes) says
  // how wide lengths are; the walk below assumes 8 bytes, as HDF5 writes by
  // default, and is skipped otherwise.
  int lengthBytes = 0;
  for (std::uint64_t at = 0; at + 16 <= fileSize && lengthBytes == 0; at = at == 0 ? 512 : at * 2) {
    char sb[16];
    if (!readAt(at, sb, sizeof sb)) break;
    if (std::memcmp(sb, "\x89HDF\r\n\x1a\n", 8) != 0) continue;
    lengthBytes = static_cast<unsigned char>(sb[8]) <= 1 ? static_cast<unsigned char>(sb[14])
                                                          : static_cast<unsigned char>(sb[10]);
    if (lengthBytes == 0) lengthBytes = -1;
  }
  if (lengthBytes != 8) return;
  std::vector<char> chunk(1 << 16);
  const std::size_t keep = 3;  // a signature cut by a chunk boundary
  std::uint64_t base = 0;
  std::string window;
  for (;;) {
    in.clear();
    in.seekg(static_cast<std::streamoff>(base + window.size()));
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got == 0) break;
    window.append(chunk.data(), got);
    for (std::size_t i = window.find("GCOL"); i != std::string::npos; i = window.find("GCOL", i + 1)) {
      const std::uint64_t at = base + i;
      char h[16];
      if (!readAt(at, h, sizeof h)) continue;
      // Version 1 and three reserved zero bytes: a collection, not text that says GCOL.
      if (h[4] != 1 || h[5] != 0 || h[6] != 0 || h[7] != 0) continue;
      const std::uint64_t size = le(h + 8, 8);
      if (size < 16 || size > fileSize - at)
        throw DataError(path + ": a global heap (at byte " + std::to_string(at) + ") declares " +
                        std::to_string(size) + " bytes, past the end of the file");
      for (std::uint64_t p = at + 16; p + 16 <= at + size;) {
        char o[16];
        if (!readAt(p, o, sizeof o)) break;
        const std::uint64_t index = le(o, 2), bytes = le(o + 8, 8);
        if (index == 0) break;  // the free space that ends the collection
        const std::uint64_t room = at + size - (p + 16);
        if (bytes > room)
          throw DataError(path + ": object " + std::to_string(index) + " of the global heap at byte " +
                          std::to_string(at) + " declares " + std::to_string(bytes) +
                          " bytes where its heap holds " + std::to_string(room) +
                          " (a damaged or crafted file)");
        p += 16 + (bytes + 7) / 8 * 8;
      }
    }
    const std::size_t drop = window.size() > keep ? window.size() - keep : 0;
    base += drop;
    window.erase(0, drop);
    if (got < chunk.size()) break;
  }
}

// HDF5 (Debian's build is not thread-safe) is used by one thread at a time,
// and no thread is inside it when readH5ad forks.
std::mutex& hdf5Mutex() {
  static std::mutex m;
  return m;
}

CellData readH5adUnlocked(const std::string& path);

void requireHdf5(const std::string& path) {
  bool hdf5 = false;
  try {
    hdf5 = H5::H5File::isHdf5(path.c_str());
  } catch (const H5::Exception& e) {
    throw DataError(path + ": HDF5 could not read it (truncated or damaged?): " + e.getDetailMsg());
  }
  if (!hdf5) throw DataError(path + " is not an HDF5 file (it starts with " + describeStart(path) + ")");
}

}  // namespace

CellData readH5adInProcess(const std::string& path) {
  std::lock_guard<std::mutex> lock(hdf5Mutex());
  return readH5adUnlocked(path);
}

CellData readH5ad(const std::string& path) {
  // Before the fork: a file that is not there or not HDF5 needs no child.
  const std::uint64_t size = regularFileSize(path);
  // Held across the fork too: no other thread is inside HDF5 then.
  std::lock_guard<std::mutex> lock(hdf5Mutex());
  H5::Exception::dontPrint();
  requireHdf5(path);
  ChildReadOptions options;
  options.what = path;
  // HDF5 reads a 100 000-cell file in about a second here; a minute plus a
  // second per 10 MB is far beyond any real file.
  options.timeout = std::chrono::seconds(60 + size / (10u << 20));
  // No single array of the reply may be larger than the reader lets one
  // dataset of this file be (Reader::checkAlloc).
  options.maxBytes = std::max<std::uint64_t>(kExpansionFloorBytes, size * readLimits().maxExpansion);
  // What the child may allocate: 16 times the file plus 1 GB (a real file's
  // matrices take about its size again, HDF5's caches a little more), and
  // never more than half of this machine's memory. Fuzzed files asked HDF5
  // for tens of gigabytes before this cap.
  const std::uint64_t physical = static_cast<std::uint64_t>(::sysconf(_SC_PHYS_PAGES)) *
                                 static_cast<std::uint64_t>(::sysconf(_SC_PAGE_SIZE));
  options.childMemoryBytes = std::min<std::uint64_t>(16 * size + (std::uint64_t{1} << 30),
                                                     std::max<std::uint64_t>(physical / 2, std::uint64_t{1} << 30));
  CellData d;
  readInChild(
      options,
      [&](ChildWriter& w) { writeCellData(w, readH5adUnlocked(path)); },
      [&](ChildReader& r) { d = readCellData(r, path); });
  return d;
}

namespace {

CellData readH5adUnlocked(const std::string& path) {
  H5::Exception::dontPrint();
  Reader r;
  r.path = path;
  r.fileSize = regularFileSize(path);
  try {
    requireHdf5(path);
    checkGlobalHeaps(path, r.fileSize);
    r.file.openFile(path, H5F_ACC_RDONLY);
    CellData d;
    if (!r.file.nameExists("X")) r.fail("no 'X' matrix (is this an AnnData file?)");
    H5::Group root = r.file.openGroup("/");
    d.obs = r.dataframe("obs");
    d.var = r.dataframe("var");
    d.X = r.matrix(root, "X", false);
    std::string kind = "dense X";
    {
      if (r.objectType(root, "X") == H5O_TYPE_GROUP) {
        H5::Group xg = r.file.openGroup("X");
        kind = r.strAttr(xg, "encoding-type") == "csc_matrix" ? "CSC X" : "CSR X";
      }
    }
    if (r.file.nameExists("layers")) {
      H5::Group layers = r.file.openGroup("layers");
      for (hsize_t i = 0; i < layers.getNumObjs(); ++i) {
        const std::string n = layers.getObjnameByIdx(i);
        d.layers[n] = r.matrix(layers, n, n == "counts");
      }
    }
    if (r.file.nameExists("uns")) {
      H5::Group uns = r.file.openGroup("uns");
      for (hsize_t i = 0; i < uns.getNumObjs(); ++i) {
        const std::string n = uns.getObjnameByIdx(i);
        if (n.size() > 11 && n.compare(n.size() - 11, 11, "_categories") == 0)
          r.fail("'uns/" + n + "' holds categories the old way (anndata < 0.7), which GenLab "
                 "does not read; re-save the file with anndata >= 0.8");
      }
    }
    d.source = "AnnData (" + kind + ") " + path.substr(path.rfind('/') + 1);
    d.checkShapes(path);
    return d;
  } catch (const H5::Exception& e) {
    throw DataError(path + ": HDF5 could not read it (truncated or damaged?): " +
                    e.getDetailMsg());
  }
}

}  // namespace

void writeH5ad(const std::string& path, const CellData& d) {
  d.checkShapes(path);
  std::lock_guard<std::mutex> lock(hdf5Mutex());
  H5::Exception::dontPrint();
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  try {
    {
      H5::H5File f(tmp, H5F_ACC_TRUNC);
      H5::Group root = f.openGroup("/");
      putEncoding(root, "anndata", "0.1.0");
      H5::Group X = root;
      putCsr(root, "X", d.X);
      putDataframe(f, "obs", d.obs);
      putDataframe(f, "var", d.var);
      H5::Group layers = f.createGroup("layers");
      putEncoding(layers, "dict", "0.1.0");
      for (const auto& [name, m] : d.layers) putCsr(layers, name, m);
      for (const char* empty : {"obsm", "varm", "obsp", "varp", "uns"}) {
        H5::Group g = f.createGroup(empty);
        putEncoding(g, "dict", "0.1.0");
      }
      f.flush(H5F_SCOPE_GLOBAL);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
      throw std::runtime_error("cannot replace " + path + ": " + std::strerror(errno));
  } catch (const H5::Exception& e) {
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write " + path + ": " + e.getDetailMsg());
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
}

}  // namespace genlab::core
