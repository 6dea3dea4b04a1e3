// Helpers shared by the benchmarks: medians, elapsed time, private ipc
// endpoints, the --json flag and JSON Lines output.
#pragma once

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace bench_support {

using steady = std::chrono::steady_clock;

inline double seconds_since(steady::time_point t0) {
  return std::chrono::duration<double>(steady::now() - t0).count();
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// A fresh ipc endpoint in one private (0700) directory per process.
inline std::string fresh_ipc(char const* name) {
  static std::string const dir = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "zguard-bench-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) std::abort();
    return tmpl;
  }();
  static int n = 0;
  return "ipc://" + dir + "/" + name + std::to_string(++n);
}

// Removes "--json" from argv (so positional arguments keep their places)
// and says whether it was there.
inline bool take_json_flag(int& argc, char** argv) {
  bool found = false;
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--json") == 0) found = true;
    else argv[out++] = argv[i];
  }
  argc = out;
  return found;
}

// One JSON object on one line (JSON Lines): one per benchmark case, so
// figures can be collected by tools. Keys are written in insertion order.
class json_row {
 public:
  json_row& str(std::string_view key, std::string_view value) {
    open(key);
    quote(value);
    return *this;
  }
  json_row& num(std::string_view key, double value) {
    open(key);
    if (!std::isfinite(value)) {
      text_ += "null";
    } else {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.9g", value);
      text_ += buf;
    }
    return *this;
  }
  json_row& integer(std::string_view key, long long value) {
    open(key);
    text_ += std::to_string(value);
    return *this;
  }
  // The fields every case has: name, size in bytes, raw, zguard, ratio.
  json_row& compare(std::string_view name, std::size_t bytes, double raw, double zguard) {
    return str("name", name).integer("bytes", static_cast<long long>(bytes)).num("raw", raw).num("zguard", zguard).num(
        "ratio", zguard / raw);
  }
  void print() const {
    std::printf("%s}\n", text_.c_str());
    std::fflush(stdout);
  }

 private:
  void open(std::string_view key) {
    text_ += text_.empty() ? "{" : ",";
    quote(key);
    text_ += ':';
  }
  void quote(std::string_view s) {
    text_ += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') {
        text_ += '\\';
        text_ += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        text_ += buf;
      } else {
        text_ += c;
      }
    }
    text_ += '"';
  }
  std::string text_;
};

}  // namespace bench_support
