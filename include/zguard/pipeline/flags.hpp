// zguard/pipeline/flags.hpp - a pipeline program's own command-line flags
// (docs/pipelines.md, "Flags of your own").
//
//   zg::pipeline_flags flags;
//   flags.number("tasks", "how many tasks the ventilator sends", 1000, 1, 1'000'000);
//   return pipeline::main(argc, argv, flags);            // --tasks 300
//   ... in a stage: auto n = env.number("tasks");
//
// Each flag is declared with its bounds: a number with a range, a text with
// a length and a small alphabet. A value is checked when the command line is
// read, before any stage starts; --launch passes the values on to its stage
// processes and the generated systemd units carry them in ExecStart, which
// is why a text may not hold spaces, quotes or other characters a shell or
// systemd would read.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <zguard/pipeline/error.hpp>
#include <zguard/pipeline/unit_text.hpp>

namespace zguard {
inline namespace v0 {

class pipeline_flags {
 public:
  struct flag {
    std::string name, help, fallback;
    bool is_number = false;
    std::uint64_t min = 0, max = 0;  // numbers
    std::size_t max_length = 0;      // texts
  };

  // A number flag --name N, N in [min, max]; `fallback` when not given.
  pipeline_flags& number(std::string name, std::string help, std::uint64_t fallback, std::uint64_t min,
                         std::uint64_t max) {
    if (min > max || fallback < min || fallback > max)
      throw pipeline_error("zguard::pipeline_flags: --" + name + ": the default must lie in min..max");
    declare({std::move(name), std::move(help), std::to_string(fallback), true, min, max, 0});
    return *this;
  }
  // A text flag --name TEXT of 1..max_length characters from
  // [A-Za-z0-9._:/@+=,-]; `fallback` when not given.
  pipeline_flags& text(std::string name, std::string help, std::string fallback, std::size_t max_length) {
    if (max_length == 0 || max_length > 1024)
      throw pipeline_error("zguard::pipeline_flags: --" + name + ": max_length must be 1..1024");
    flag f{std::move(name), std::move(help), std::move(fallback), false, 0, 0, max_length};
    check(f, f.fallback);  // the default obeys its own rule
    declare(std::move(f));
    return *this;
  }

  // Sets a flag from the command line; an unknown flag or a value outside
  // its bounds throws pipeline_error naming the flag and the rule.
  void set(std::string_view name, std::string_view value) {
    auto const* f = find(name);
    if (!f) throw pipeline_error("unknown flag --" + std::string(name));
    check(*f, value);
    values_[f->name] = std::string(value);
  }

  // The value of a declared number / text flag (its default if not set).
  std::uint64_t number_value(std::string_view name) const {
    auto const& f = declared(name, true);
    std::uint64_t v = 0;
    auto const& s = value_or_default(f);
    std::from_chars(s.data(), s.data() + s.size(), v);  // checked by set()
    return v;
  }
  std::string const& text_value(std::string_view name) const { return value_or_default(declared(name, false)); }

  std::vector<flag> const& declared_flags() const { return flags_; }
  flag const* find(std::string_view name) const {
    for (auto const& f : flags_)
      if (f.name == name) return &f;
    return nullptr;
  }
  // The flags that were set, as they are passed on: {"--tasks", "300", ...}.
  std::vector<std::string> arguments() const {
    std::vector<std::string> out;
    for (auto const& [name, value] : values_) {
      out.push_back("--" + name);
      out.push_back(value);
    }
    return out;
  }
  // One line per flag for --help.
  std::string help() const {
    std::string out;
    for (auto const& f : flags_) {
      out += "  --" + f.name + (f.is_number ? " N" : " TEXT") + "  " + f.help + " (";
      out += f.is_number ? std::to_string(f.min) + ".." + std::to_string(f.max)
                         : "1.." + std::to_string(f.max_length) + " characters";
      out += "; default " + f.fallback + ")\n";
    }
    return out;
  }

  // A number flag's value: decimal digits only (no sign, space or trailing
  // junk), in [min, max]; otherwise pipeline_error "--name: 'value' is not
  // a number in min..max" (the value shown printable).
  static std::uint64_t parse_number(std::string_view name, std::string_view value, std::uint64_t min,
                                    std::uint64_t max) {
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size() || v < min || v > max)
      throw pipeline_error("--" + std::string(name) + ": '" + printable(value) + "' is not a number in " +
                           std::to_string(min) + ".." + std::to_string(max));
    return v;
  }

  // The names the pipeline's own command line uses.
  static bool reserved(std::string_view name) {
    for (std::string_view r : {"help", "print", "keygen", "all", "stage", "replica", "launch", "keys", "dir",
                               "timeout-s", "deployment", "host", "systemd-units", "exe"})
      if (name == r) return true;
    return false;
  }

 private:
  void declare(flag f) {
    bool ok = !f.name.empty() && f.name.size() <= 32 && f.name.front() != '-';
    for (char c : f.name) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
    if (!ok) throw pipeline_error("zguard::pipeline_flags: a flag name is 1..32 of [a-z0-9-]: '" + f.name + "'");
    if (reserved(f.name) || find(f.name))
      throw pipeline_error("zguard::pipeline_flags: --" + f.name + " is taken (by the pipeline or another flag)");
    flags_.push_back(std::move(f));
  }
  static void check(flag const& f, std::string_view value) {
    if (f.is_number) {
      (void)parse_number(f.name, value, f.min, f.max);
      return;
    }
    if (!detail::plain_word(value) || value.size() > f.max_length)
      throw pipeline_error("--" + f.name + ": a text of 1.." + std::to_string(f.max_length) +
                           " characters from [A-Za-z0-9._:/@+=,-] is expected");
  }
  flag const& declared(std::string_view name, bool number) const {
    auto const* f = find(name);
    if (!f || f->is_number != number)
      throw pipeline_error("zguard::pipeline_flags: no " + std::string(number ? "number" : "text") + " flag --" +
                           std::string(name) + " was declared");
    return *f;
  }
  std::string const& value_or_default(flag const& f) const {
    auto it = values_.find(f.name);
    return it == values_.end() ? f.fallback : it->second;
  }

  std::vector<flag> flags_;
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace v0
}  // namespace zguard
