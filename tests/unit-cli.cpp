// The example programs' flag parser (examples/cli.hpp): a number flag names
// the flag, the value and its range, and refuses signs, junk and overflow
// instead of reading a prefix or wrapping.
#include "../examples/cli.hpp"
#include "support.hpp"

#include <sys/wait.h>
#include <unistd.h>

namespace {
// cli.number(flag, lo, hi) in a child process (a refusal exits): {exit status, what it printed}.
std::pair<int, std::string> number_in_child(std::string const& value, long lo, long hi) {
  int out[2];
  REQUIRE(::pipe(out) == 0);
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);  // nothing of ours buffered twice
  pid_t const pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    std::string prog = "demo", flag = "--count", v = value;
    char* argv[] = {prog.data(), flag.data(), v.data(), nullptr};
    example::cli c("demo", "a demo", {{"count", "how many", "3", false}});
    c.parse(3, argv);
    long const got = c.number("count", lo, hi);
    std::cout << "value " << got << std::endl;
    std::_Exit(0);
  }
  ::close(out[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) text.append(buf, std::size_t(n));
  ::close(out[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.substr(0, text.find("usage:"))};
}
}  // namespace

TEST_CASE("example flags: a number names the flag, the value and the range, and refuses junk, signs and overflow") {
  CHECK(number_in_child("42", 0, 100) == std::pair<int, std::string>{0, "value 42\n"});
  for (std::string bad : {"abc", "12x", "-5", "+5", " 7", "101", "99999999999999999999", "", "\x1b[2J"}) {
    CAPTURE(bad);
    auto const [status, said] = number_in_child(bad, 0, 100);
    CHECK(status == 2);
    CHECK(said == "demo: --count: '" + zguard::printable(bad) + "' is not a number in 0..100\n");
  }
  // A value an int would wrap is refused by the int flag's range, not cut.
  CHECK(number_in_child("5000000000", 1, 100).first == 2);
}
