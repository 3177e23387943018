// R's save() files (.rda): gzip'd "RDX2\n" or "RDX3\n", then R's XDR
// serialisation (big-endian). GenLab's own small reader of the subset that
// expression data uses: vectors (logical, integer, double, string, list),
// pairlists of attributes, symbols and references to them. Enough for the
// HSMMSingleCell package (a numeric matrix with dimnames and a data.frame of
// factors and numbers); anything else is refused with its SEXP type.
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <unordered_map>

#include "core/data/cell_formats.h"
#include "core/data/file_checks.h"
#include "core/data/image_dataset.h"
#include "core/data/read_limits.h"

namespace genlab::core {

namespace {

enum : int {
  NILSXP = 0, SYMSXP = 1, LISTSXP = 2, CHARSXP = 9, LGLSXP = 10, INTSXP = 13, REALSXP = 14,
  STRSXP = 16, VECSXP = 19, REFSXP = 255, NILVALUE_SXP = 254, GLOBALENV_SXP = 253,
  EMPTYENV_SXP = 242, BASEENV_SXP = 241, MISSINGARG_SXP = 251, BASENAMESPACE_SXP = 247,
  UNBOUNDVALUE_SXP = 252
};
constexpr int kNaInt = INT32_MIN;

struct RObj {
  int type = NILSXP;
  std::vector<double> reals;
  std::vector<int> ints;
  std::vector<std::string> strs;  // STRSXP; CHARSXP/SYMSXP: strs[0]
  std::vector<bool> naStr;
  std::vector<std::shared_ptr<RObj>> items;  // VECSXP
  std::vector<std::pair<std::string, std::shared_ptr<RObj>>> attrs;  // or the pairlist's entries
  const RObj* attr(const std::string& n) const {
    for (const auto& [k, v] : attrs)
      if (k == n) return v.get();
    return nullptr;
  }
  std::size_t length() const {
    switch (type) {
      case REALSXP: return reals.size();
      case INTSXP: case LGLSXP: return ints.size();
      case STRSXP: return strs.size();
      case VECSXP: return items.size();
      default: return 0;
    }
  }
};
using RPtr = std::shared_ptr<RObj>;

struct Xdr {
  std::string path;
  std::string buf;
  std::size_t pos = 0;
  std::vector<RPtr> refs;
  int depth = 0;

  [[noreturn]] void fail(const std::string& m) const { throw DataError(path + ": " + m); }
  void need(std::size_t n) const {
    if (buf.size() - pos < n) fail("the R data ends early (truncated file?)");
  }
  int i32() {
    need(4);
    const auto* b = reinterpret_cast<const unsigned char*>(buf.data() + pos);
    pos += 4;
    return static_cast<int>((std::uint32_t(b[0]) << 24) | (std::uint32_t(b[1]) << 16) |
                            (std::uint32_t(b[2]) << 8) | std::uint32_t(b[3]));
  }
  double f64() {
    need(8);
    std::uint64_t u = 0;
    for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<unsigned char>(buf[pos + i]);
    pos += 8;
    double d;
    std::memcpy(&d, &u, 8);
    return d;
  }
  std::size_t len() {
    const int n = i32();
    if (n >= 0) return static_cast<std::size_t>(n);
    if (n != -1) fail("negative vector length");
    const std::uint64_t hi = static_cast<std::uint32_t>(i32()), lo = static_cast<std::uint32_t>(i32());
    return static_cast<std::size_t>((hi << 32) | lo);
  }
  void checkCount(std::size_t n, std::size_t bytesEach) const {
    if (n > (buf.size() - pos) / std::max<std::size_t>(1, bytesEach))
      fail("a vector claims " + std::to_string(n) + " elements, more than the data holds");
  }

  RPtr item() {
    if (++depth > 200) fail("R objects nested too deeply");
    RPtr r = itemInner();
    --depth;
    return r;
  }

  RPtr itemInner() {
    const int flags = i32();
    const int type = flags & 0xFF;
    const bool hasAttr = flags & (1 << 9), hasTag = flags & (1 << 10);
    auto o = std::make_shared<RObj>();
    o->type = type;
    switch (type) {
      case NILVALUE_SXP: case GLOBALENV_SXP: case EMPTYENV_SXP: case BASEENV_SXP:
      case MISSINGARG_SXP: case BASENAMESPACE_SXP: case UNBOUNDVALUE_SXP:
        o->type = NILSXP;
        return o;
      case REFSXP: {
        int idx = flags >> 8;
        if (idx == 0) idx = i32();
        if (idx < 1 || idx > static_cast<int>(refs.size())) fail("bad reference in R data");
        return refs[idx - 1];
      }
      case SYMSXP: {
        RPtr name = item();
        o->strs = {name->strs.empty() ? "" : name->strs[0]};
        refs.push_back(o);
        return o;
      }
      case CHARSXP: {
        const int n = i32();
        if (n == -1) {
          o->strs = {""};
          o->naStr = {true};
          return o;
        }
        need(static_cast<std::size_t>(n));
        o->strs = {buf.substr(pos, static_cast<std::size_t>(n))};
        pos += static_cast<std::size_t>(n);
        return o;
      }
      case LISTSXP: {
        // A pairlist: (attr) (tag) car cdr, iterated instead of recursing on cdr.
        RObj* cur = o.get();
        int f = flags;
        for (;;) {
          if (f & (1 << 9)) item();  // attributes of a pairlist cell: unused
          std::string tag;
          if (f & (1 << 10)) {
            RPtr t = item();
            tag = t->strs.empty() ? "" : t->strs[0];
          }
          cur->attrs.push_back({tag, item()});
          f = i32();
          if ((f & 0xFF) == NILVALUE_SXP) break;
          if ((f & 0xFF) != LISTSXP) fail("unexpected pairlist tail in R data");
        }
        return o;
      }
      case LGLSXP: case INTSXP: {
        const std::size_t n = len();
        checkCount(n, 4);
        o->ints.resize(n);
        for (auto& v : o->ints) v = i32();
        break;
      }
      case REALSXP: {
        const std::size_t n = len();
        checkCount(n, 8);
        o->reals.resize(n);
        for (auto& v : o->reals) v = f64();
        break;
      }
      case STRSXP: {
        const std::size_t n = len();
        checkCount(n, 4);
        o->strs.resize(n);
        o->naStr.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
          RPtr c = item();
          o->strs[i] = c->strs.empty() ? "" : c->strs[0];
          o->naStr[i] = !c->naStr.empty() && c->naStr[0];
        }
        break;
      }
      case VECSXP: {
        const std::size_t n = len();
        checkCount(n, 4);
        o->items.resize(n);
        for (auto& v : o->items) v = item();
        break;
      }
      default:
        fail("R object of SEXP type " + std::to_string(type) +
             " is not something GenLab's .rda reader handles");
    }
    if (hasAttr) {
      RPtr a = item();
      o->attrs = a->attrs;
    }
    (void)hasTag;
    return o;
  }
};

std::vector<std::pair<std::string, RPtr>> loadRda(const std::string& path) {
  const std::uint64_t size = regularFileSize(path);
  const std::uint64_t cap =
      std::max<std::uint64_t>(kExpansionFloorBytes, size * readLimits().maxExpansion);
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw DataError(path + ": cannot open");
  Xdr x;
  x.path = path;
  std::vector<char> chunk(1 << 16);  // per call: small files are common (and fuzzed)
  for (;;) {
    const int n = gzread(f, chunk.data(), static_cast<unsigned>(chunk.size()));
    if (n < 0) {
      gzclose(f);
      throw DataError(path + ": damaged or truncated gzip data");
    }
    if (n == 0) break;
    x.buf.append(chunk.data(), static_cast<std::size_t>(n));
    if (x.buf.size() > cap) {
      gzclose(f);
      throw DataError(path + ": decompresses to " +
                      overLimit(cap, "bytes for its size", kMaxExpansionOption));
    }
  }
  gzclose(f);
  if (x.buf.compare(0, 5, "RDX2\n") != 0 && x.buf.compare(0, 5, "RDX3\n") != 0)
    throw DataError(path + " is not an R save() file (no RDX2/RDX3 header)");
  const bool v3 = x.buf[3] == '3';
  x.pos = 5;
  if (x.buf.compare(x.pos, 2, "X\n") != 0)
    throw DataError(path + ": only R's XDR (binary, big-endian) format is read");
  x.pos += 2;
  x.i32();  // format version
  x.i32();  // R version that wrote it
  x.i32();  // oldest R version that reads it
  if (v3) {
    const int n = x.i32();
    x.need(static_cast<std::size_t>(std::max(0, n)));
    x.pos += static_cast<std::size_t>(std::max(0, n));  // native encoding
  }
  RPtr top = x.item();
  if (top->type != LISTSXP) throw DataError(path + ": no objects saved in it");
  return top->attrs;
}

std::vector<std::string> namesOf(const RObj* o) {
  return o && o->type == STRSXP ? o->strs : std::vector<std::string>{};
}

}  // namespace

CellData readRdaMatrix(const std::string& path) {
  for (const auto& [name, obj] : loadRda(path)) {
    if (obj->type != REALSXP && obj->type != INTSXP) continue;
    const RObj* dim = obj->attr("dim");
    const RObj* dimnames = obj->attr("dimnames");
    if (!dim || dim->ints.size() != 2) continue;
    const std::int64_t nGenes = dim->ints[0], nCells = dim->ints[1];
    if (nGenes < 0 || nCells < 0 ||
        static_cast<std::uint64_t>(nGenes) * static_cast<std::uint64_t>(nCells) != obj->length())
      throw DataError(path + ": matrix '" + name + "' has dim " + std::to_string(nGenes) + " x " +
                      std::to_string(nCells) + " but " + std::to_string(obj->length()) + " values");
    // An empty matrix holds no values to bound its other side: dim 0 x 2^31
    // would otherwise make 2^31 empty rows and as many cell names.
    if (nGenes == 0 || nCells == 0)
      throw DataError(path + ": matrix '" + name + "' is empty (dim " + std::to_string(nGenes) + " x " +
                      std::to_string(nCells) + ")");
    CellData d;
    // R is column-major: column j (a cell) is contiguous, which is a cells x genes row.
    d.X.rows = nCells;
    d.X.cols = nGenes;
    d.X.indptr.assign(1, 0);
    for (std::int64_t c = 0; c < nCells; ++c) {
      for (std::int64_t g = 0; g < nGenes; ++g) {
        const std::size_t k = static_cast<std::size_t>(c * nGenes + g);
        double v = obj->type == REALSXP ? obj->reals[k]
                                        : (obj->ints[k] == kNaInt ? std::nan("") : obj->ints[k]);
        if (!std::isfinite(v))
          throw DataError(path + ": '" + name + "' holds NA, NaN or infinity at gene " +
                          std::to_string(g + 1) + ", cell " + std::to_string(c + 1));
        if (v < 0)
          throw DataError(path + ": '" + name + "' holds a negative value at gene " +
                          std::to_string(g + 1) + ", cell " + std::to_string(c + 1));
        if (static_cast<float>(v) != 0.0f) {  // values below float's range read as 0
          d.X.indices.push_back(static_cast<std::int32_t>(g));
          d.X.data.push_back(static_cast<float>(v));
        }
      }
      d.X.indptr.push_back(d.X.nnz());
    }
    if (dimnames && dimnames->type == VECSXP && dimnames->items.size() == 2) {
      d.var.index = namesOf(dimnames->items[0].get());
      d.obs.index = namesOf(dimnames->items[1].get());
    }
    if (static_cast<std::int64_t>(d.var.index.size()) != nGenes)
      for (std::int64_t g = d.var.index.size(); g < nGenes; ++g) d.var.index.push_back("gene" + std::to_string(g + 1));
    if (static_cast<std::int64_t>(d.obs.index.size()) != nCells)
      for (std::int64_t c = d.obs.index.size(); c < nCells; ++c) d.obs.index.push_back("cell" + std::to_string(c + 1));
    d.source = "R matrix '" + name + "' (genes x cells) in " + path.substr(path.rfind('/') + 1);
    return d;
  }
  throw DataError(path + ": holds no numeric matrix with a dim attribute");
}

CellTable readRdaDataFrame(const std::string& path) {
  for (const auto& [name, obj] : loadRda(path)) {
    if (obj->type != VECSXP) continue;
    const RObj* cls = obj->attr("class");
    bool isDf = false;
    for (const auto& c : namesOf(cls)) isDf = isDf || c == "data.frame";
    if (!isDf) continue;
    const auto names = namesOf(obj->attr("names"));
    CellTable t;
    const RObj* rn = obj->attr("row.names");
    const std::size_t rows = obj->items.empty() ? 0 : obj->items[0]->length();
    if (rn && rn->type == STRSXP) t.index = rn->strs;
    else
      for (std::size_t i = 0; i < rows; ++i) t.index.push_back(std::to_string(i + 1));
    for (std::size_t j = 0; j < obj->items.size(); ++j) {
      const RObj& col = *obj->items[j];
      const std::string cname = j < names.size() ? names[j] : "V" + std::to_string(j + 1);
      if (col.length() != t.index.size())
        throw DataError(path + ": column '" + cname + "' of '" + name + "' has " +
                        std::to_string(col.length()) + " rows, the frame has " +
                        std::to_string(t.index.size()));
      CellColumn c;
      c.name = cname;
      const RObj* levels = col.attr("levels");
      if (col.type == INTSXP && levels && levels->type == STRSXP) {  // a factor
        c.categories = levels->strs;
        for (int v : col.ints) {
          const int code = v == kNaInt ? -1 : v - 1;
          if (code < -1 || code >= static_cast<int>(c.categories.size()))
            throw DataError(path + ": factor '" + cname + "' has a code outside its levels");
          c.codes.push_back(code);
        }
      } else if (col.type == STRSXP) {
        c = CellColumn::fromStrings(cname, col.strs);
      } else if (col.type == REALSXP || col.type == INTSXP || col.type == LGLSXP) {
        c.categorical = false;
        if (col.type == REALSXP) c.values = col.reals;
        else
          for (int v : col.ints) c.values.push_back(v == kNaInt ? std::nan("") : double(v));
      } else {
        continue;
      }
      t.columns.push_back(std::move(c));
    }
    return t;
  }
  throw DataError(path + ": holds no data.frame");
}

}  // namespace genlab::core
