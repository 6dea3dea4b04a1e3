// Helpers shared by the benchmarks: medians, elapsed time, private ipc
// endpoints.
#pragma once

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
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

}  // namespace bench_support
