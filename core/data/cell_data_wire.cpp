#include "core/data/cell_data_wire.h"

#include <cstdint>
#include <vector>

#include "core/data/image_dataset.h"

namespace genlab::core {

namespace {

void put(ChildWriter& w, const CsrMatrix& m) {
  w.u64(static_cast<std::uint64_t>(m.rows));
  w.u64(static_cast<std::uint64_t>(m.cols));
  w.vec(m.indptr);
  w.vec(m.indices);
  w.vec(m.data);
}

void put(ChildWriter& w, const CellTable& t) {
  w.u64(t.index.size());
  for (const auto& s : t.index) w.str(s);
  w.u64(t.columns.size());
  for (const auto& c : t.columns) {
    w.str(c.name);
    w.u64((c.categorical ? 1u : 0u) | (c.ordered ? 2u : 0u));
    w.u64(c.categories.size());
    for (const auto& s : c.categories) w.str(s);
    w.vec(c.codes);
    w.vec(c.values);
  }
}

CsrMatrix getCsr(ChildReader& r) {
  CsrMatrix m;
  m.rows = static_cast<std::int64_t>(r.u64());
  m.cols = static_cast<std::int64_t>(r.u64());
  m.indptr = r.vec<std::int64_t>();
  m.indices = r.vec<std::int32_t>();
  m.data = r.vec<float>();
  return m;
}

std::vector<std::string> getStrings(ChildReader& r) {
  std::vector<std::string> v(static_cast<std::size_t>(r.length(sizeof(std::string))));
  for (auto& s : v) s = r.str();
  return v;
}

CellTable getTable(ChildReader& r, const std::string& what) {
  CellTable t;
  t.index = getStrings(r);
  t.columns.resize(static_cast<std::size_t>(r.length(sizeof(CellColumn))));
  for (auto& c : t.columns) {
    c.name = r.str();
    const std::uint64_t flags = r.u64();
    c.categorical = flags & 1u;
    c.ordered = flags & 2u;
    c.categories = getStrings(r);
    c.codes = r.vec<std::int32_t>();
    c.values = r.vec<double>();
    auto bad = [&](const std::string& m) { throw DataError(what + " column '" + c.name + "': " + m); };
    if (c.categorical) {
      if (!c.values.empty()) bad("a categorical column with numeric values");
      for (const std::int32_t code : c.codes)
        if (code < -1 || code >= static_cast<std::int64_t>(c.categories.size()))
          bad("category code " + std::to_string(code) + " of " + std::to_string(c.categories.size()) +
              " categories");
    } else if (!c.codes.empty() || !c.categories.empty()) {
      bad("a numeric column with category codes");
    }
  }
  return t;
}

}  // namespace

void writeCellData(ChildWriter& w, const CellData& d) {
  put(w, d.X);
  w.u64(d.layers.size());
  for (const auto& [name, m] : d.layers) {
    w.str(name);
    put(w, m);
  }
  put(w, d.obs);
  put(w, d.var);
  w.str(d.source);
}

CellData readCellData(ChildReader& r, const std::string& what) {
  CellData d;
  d.X = getCsr(r);
  d.X.validate(what + ": X", false);
  const std::uint64_t layers = r.length(sizeof(CsrMatrix));
  for (std::uint64_t i = 0; i < layers; ++i) {
    std::string name = r.str();
    CsrMatrix m = getCsr(r);
    m.validate(what + ": layer '" + name + "'", name == "counts");
    d.layers[name] = std::move(m);
  }
  d.obs = getTable(r, what + ": obs");
  d.var = getTable(r, what + ": var");
  d.source = r.str();
  d.checkShapes(what);
  return d;
}

}  // namespace genlab::core
