// Writes the descriptions of the test schemas (described_schemas.hpp) as
// JSON, for the Python module's tests: describe_schemas OUTPUT_FILE.
#include "described_schemas.hpp"

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: describe_schemas OUTPUT_FILE\n");
    return 2;
  }
  try {
    zguard_test::write_test_descriptions(argv[1]);
  } catch (std::exception const& e) {
    std::fprintf(stderr, "describe_schemas: %s\n", e.what());
    return 1;
  }
  return 0;
}
