// Replays fuzz corpora through a libFuzzer entry point without libFuzzer, so
// the normal test build (any compiler) checks every seed and every crash
// reproducer committed to the repository.
//
// usage: <target>_replay DIR... ; fails if a directory holds no input.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size);

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR...\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; ++i) {
    std::size_t replayed = 0;
    for (auto const& entry : std::filesystem::directory_iterator(argv[i])) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
      // A copy the exact size of the input, so a read past the end is a
      // sanitizer error in sanitized builds.
      auto* exact = new std::uint8_t[bytes.size() + (bytes.empty() ? 1 : 0)];
      std::copy(bytes.begin(), bytes.end(), exact);
      LLVMFuzzerTestOneInput(exact, bytes.size());
      delete[] exact;
      ++replayed;
    }
    std::printf("%s: %zu inputs replayed\n", argv[i], replayed);
    if (replayed == 0) {
      std::fprintf(stderr, "%s: empty corpus\n", argv[i]);
      return 1;
    }
  }
  return 0;
}
