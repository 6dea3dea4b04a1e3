// zguard_reliability: doctest cases (flood, faults, network partitions) and
// the server roles they start as child processes of this same binary:
//   zguard_reliability --role serve   KEYDIR BIND ENDPOINT_FILE
//   zguard_reliability --role publish KEYDIR BIND ENDPOINT_FILE
//   zguard_reliability --role client  KEYDIR NAME ENDPOINT CALLS   (network namespace test)
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstring>

namespace reliability {
int run_role(int argc, char** argv);
}

int main(int argc, char** argv) {
  if (argc > 2 && std::strcmp(argv[1], "--role") == 0) return reliability::run_role(argc - 2, argv + 2);
  doctest::Context context(argc, argv);
  return context.run();
}
