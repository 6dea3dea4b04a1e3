// MESSAGE[zguard::schema: an enum field \(schema S, field Name: see check_field \[with ...\] above\) needs its valid values declared: template <> inline constexpr auto zguard::enum_values<Enum> = std::array{...};]
// MESSAGE[check_field\(\) \[with S = paint; [^]]*"shade"}; F = colour\]]
#include "common.hpp"
enum class colour : std::uint8_t { red, green };
struct paint {
  ZGUARD_SCHEMA("cf.paint", 1);
  BOOST_HANA_DEFINE_STRUCT(paint, (colour, shade));
};
constexpr auto size = zg::max_encoded_size<paint>;
