#include "core/data/png_folder_reader.h"

#include "core/data/file_checks.h"
#include "core/data/png_decode.h"
#include "core/data/read_limits.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unordered_map>

namespace genlab::core {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw DataError(name + ": " + what);
}

std::uint8_t luma(unsigned r, unsigned g, unsigned b) {
  return static_cast<std::uint8_t>((299 * r + 587 * g + 114 * b + 500) / 1000);
}

std::uint8_t onBlack(unsigned v, unsigned alpha) {
  return static_cast<std::uint8_t>((v * alpha + 127) / 255);
}

std::string readSmallFile(const std::string& path, std::uint64_t maxBytes, const char* what) {
  const std::uint64_t size = regularFileSize(path);
  if (size > maxBytes)
    fail(path, "is " + std::to_string(size) + " bytes, more than the " + std::to_string(maxBytes >> 20) +
                   " MiB accepted for " + what);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open: ") + std::strerror(errno));
  std::string data(static_cast<std::size_t>(size), '\0');
  in.read(data.data(), static_cast<std::streamsize>(size));
  if (static_cast<std::uint64_t>(in.gcount()) != size) fail(path, "read error (the file changed while reading?)");
  return data;
}

// --- labels.csv -------------------------------------------------------------

struct CsvEntry {
  std::string file;
  int label = -1;
  int line = 0;
};

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Splits one CSV line; fields may be double-quoted with "" for a quote (so
// file names may hold commas). Returns false with `error` set when malformed.
bool splitCsvLine(std::string_view line, std::vector<std::string>& fields, std::string& error) {
  fields.clear();
  std::size_t i = 0;
  for (;;) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::string field;
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        field += line[i++];
      }
      if (!closed) {
        error = "unterminated quote";
        return false;
      }
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i < line.size() && line[i] != ',') {
        error = "unexpected text after a closing quote";
        return false;
      }
    } else {
      const std::size_t comma = line.find(',', i);
      const std::size_t end = comma == std::string_view::npos ? line.size() : comma;
      field = trim(line.substr(i, end - i));
      i = end;
    }
    fields.push_back(std::move(field));
    if (i >= line.size()) return true;
    ++i;  // the comma
  }
}

// Lexical check only: the name must stay inside the folder. Backslashes count
// as separators too, so a file written on Windows can't slip "..\" past it.
bool escapesFolder(const std::string& file, std::string& why) {
  if (!file.empty() && (file[0] == '/' || file[0] == '\\')) {
    why = "is an absolute path; files must be given relative to the folder";
    return true;
  }
  if (file.size() >= 2 && std::isalpha(static_cast<unsigned char>(file[0])) && file[1] == ':') {
    why = "is an absolute path; files must be given relative to the folder";
    return true;
  }
  std::size_t start = 0;
  while (start <= file.size()) {
    std::size_t end = file.find_first_of("/\\", start);
    if (end == std::string::npos) end = file.size();
    if (file.compare(start, end - start, "..") == 0 && end - start == 2) {
      why = "points outside the folder (\"..\" is not allowed)";
      return true;
    }
    start = end + 1;
  }
  return false;
}

// The header names other tools write: filename|file|path|image, then
// label|class|target, in any case.
bool isHeader(const std::string& fileColumn, const std::string& labelColumn) {
  static const char* const kFile[] = {"filename", "file", "path", "image"};
  static const char* const kLabel[] = {"label", "class", "target"};
  const std::string f = lower(fileColumn), l = lower(labelColumn);
  return std::any_of(std::begin(kFile), std::end(kFile), [&](const char* n) { return f == n; }) &&
         std::any_of(std::begin(kLabel), std::end(kLabel), [&](const char* n) { return l == n; });
}

std::vector<CsvEntry> readLabelsCsv(const std::string& csvPath) {
  const std::string text = readSmallFile(csvPath, kLabelsCsvMaxBytes, "labels.csv");
  std::vector<CsvEntry> entries;
  std::unordered_map<std::string, int> firstLine;
  std::vector<std::string> fields;
  std::string error;
  bool seenContent = false;
  std::size_t pos = 0;
  // A UTF-8 byte-order mark, as spreadsheet programs write it, is not data.
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) pos = 3;
  for (int lineNo = 1; pos < text.size(); ++lineNo) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string_view line(text.data() + pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string trimmed = trim(line);
    if (trimmed.empty() || trimmed[0] == '#') continue;
    const std::string where = csvPath + " line " + std::to_string(lineNo);
    if (trimmed.find('\0') != std::string::npos) throw DataError(where + ": holds a NUL byte; is this a text file?");
    if (!splitCsvLine(trimmed, fields, error)) throw DataError(where + ": malformed: " + error);
    const bool first = !seenContent;
    seenContent = true;
    if (first && fields.size() == 2 && isHeader(fields[0], fields[1])) continue;
    const std::string hint =
        first ? " (a header line, if any, names the file column filename, file, path or image and the "
                "label column label, class or target)"
              : "";
    if (fields.size() != 2)
      throw DataError(where + ": malformed: expected \"file,label\" but found " + std::to_string(fields.size()) +
                      " field" + (fields.size() == 1 ? "" : "s") + hint);
    CsvEntry entry;
    entry.file = fields[0];
    entry.line = lineNo;
    if (entry.file.empty()) throw DataError(where + ": malformed: the file name is empty");
    const std::string& labelText = fields[1];
    int label = 0;
    const auto [end, ec] = std::from_chars(labelText.data(), labelText.data() + labelText.size(), label);
    if (labelText.empty() || ec == std::errc::invalid_argument || end != labelText.data() + labelText.size())
      throw DataError(where + ": malformed: label \"" + labelText + "\" is not an integer 0..255" + hint);
    if (ec == std::errc::result_out_of_range || label < 0 || label > 255)
      throw DataError(where + ": label " + labelText + " is outside 0..255");
    entry.label = label;
    std::string why;
    if (escapesFolder(entry.file, why)) throw DataError(where + ": \"" + entry.file + "\" " + why);
    const auto [it, inserted] = firstLine.emplace(entry.file, lineNo);
    if (!inserted)
      throw DataError(where + ": \"" + entry.file + "\" is listed twice (also on line " +
                      std::to_string(it->second) + ")");
    if (entries.size() >= 10'000'000) throw DataError(where + ": more than 10000000 images listed");
    entries.push_back(std::move(entry));
  }
  if (entries.empty()) fail(csvPath, "lists no images (expected lines of \"file,label\")");
  return entries;
}

GreyImage decodeGrey(std::string_view bytes, const std::string& name, const png::PixelLimit& limit) {
  png::DecodedPng decoded;
  try {
    decoded = png::decodePng(bytes, /*keep16=*/false, kPngMaxSide, limit);
  } catch (const png::PngDecodeError& e) {
    fail(name, e.what());
  }
  GreyImage image;
  image.width = decoded.width;
  image.height = decoded.height;
  const std::size_t n = std::size_t(decoded.width) * std::size_t(decoded.height);
  image.pixels.resize(n);
  const std::uint8_t* p = decoded.pixels.data();
  std::uint8_t* out = image.pixels.data();
  switch (decoded.channels) {
    case 1: std::copy(p, p + n, out); break;
    case 2: for (std::size_t i = 0; i < n; ++i) out[i] = onBlack(p[2 * i], p[2 * i + 1]); break;
    case 3: for (std::size_t i = 0; i < n; ++i) out[i] = luma(p[3 * i], p[3 * i + 1], p[3 * i + 2]); break;
    case 4:
      for (std::size_t i = 0; i < n; ++i) out[i] = onBlack(luma(p[4 * i], p[4 * i + 1], p[4 * i + 2]), p[4 * i + 3]);
      break;
  }
  return image;
}

png::PixelLimit imageLimit() { return {readLimits().maxPixels, "pixels per image", kMaxPixelsOption}; }

}  // namespace

GreyImage decodePngGrey(std::string_view bytes, const std::string& name) {
  return decodeGrey(bytes, name, imageLimit());
}

GreyImage readPngGrey(const std::string& path) {
  return decodePngGrey(readSmallFile(path, kPngMaxFileBytes, "a PNG"), path);
}

ImageDataset readPngFolder(const std::string& folder) {
  const fs::path dir(folder);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) fail(folder, "is not a folder");
  const std::string csvPath = (dir / "labels.csv").string();
  if (!fs::exists(dir / "labels.csv", ec))
    fail(folder, "has no labels.csv (a PNG folder needs one, with a line \"file,label\" per image)");
  const std::vector<CsvEntry> entries = readLabelsCsv(csvPath);

  // Check every listed file exists before decoding any, so a typo is
  // reported at once rather than after minutes of decoding.
  for (const CsvEntry& e : entries) {
    const fs::file_status st = fs::status(dir / e.file, ec);
    if (st.type() == fs::file_type::not_found)
      throw DataError(csvPath + " line " + std::to_string(e.line) + ": \"" + e.file + "\" does not exist in " + folder);
    if (!fs::is_regular_file(st))
      throw DataError(csvPath + " line " + std::to_string(e.line) + ": \"" + e.file + "\" is not a regular file");
    // The names were checked lexically; a symlink could still lead out.
    if (!resolvesInside(folder, (dir / e.file).string()))
      throw DataError(csvPath + " line " + std::to_string(e.line) + ": \"" + e.file +
                      "\" leads outside " + folder + " (through a symbolic link); copy the file into the folder");
  }

  ImageDataset ds;
  std::string firstPath;
  // These are training images: a model's first layer is sized from them.
  const std::uint64_t trainPixels = std::min(readLimits().maxTrainPixels, readLimits().maxPixels);
  const png::PixelLimit trainLimit{trainPixels, "pixels per training image",
                                   trainPixels == readLimits().maxPixels ? kMaxPixelsOption
                                                                         : kMaxTrainPixelsOption};
  for (const CsvEntry& e : entries) {
    const std::string path = (dir / e.file).string();
    GreyImage image;
    try {
      image = decodeGrey(readSmallFile(path, kPngMaxFileBytes, "a PNG"), path, trainLimit);
    } catch (const DataError& err) {
      throw DataError(std::string(err.what()) + " (listed on labels.csv line " + std::to_string(e.line) + ")");
    }
    if (ds.count == 0) {
      ds.width = image.width;
      ds.height = image.height;
      firstPath = path;
      const std::uint64_t total = std::uint64_t{entries.size()} * ds.imageSize();
      if (total > kPngFolderMaxPixelBytes)
        fail(folder, std::to_string(entries.size()) + " images of " + std::to_string(ds.height) + "x" +
                         std::to_string(ds.width) + " are more than the " +
                         std::to_string(kPngFolderMaxPixelBytes >> 30) + " GiB that can be loaded");
    } else if (image.width != ds.width || image.height != ds.height) {
      fail(path, "is " + std::to_string(image.width) + "x" + std::to_string(image.height) + " (width x height) but " +
                     firstPath + " is " + std::to_string(ds.width) + "x" + std::to_string(ds.height) +
                     "; all images in a folder must have the same size (labels.csv line " +
                     std::to_string(e.line) + ")");
    }
    ds.pixels.insert(ds.pixels.end(), image.pixels.begin(), image.pixels.end());
    ds.labels.push_back(e.label);
    ++ds.count;
  }
  ds.provenance = "PNG folder " + folder + " (labels.csv, " + std::to_string(ds.count) + " images of " +
                  std::to_string(ds.height) + "x" + std::to_string(ds.width) + ")";
  return ds;
}

}  // namespace genlab::core
