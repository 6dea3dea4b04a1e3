// MESSAGE[an enum field needs its valid values declared]
#include "common.hpp"
// MESSAGE[enum_field_needs_zguard_enum_values<.*"colour"]
enum class colour : std::uint8_t { red, green };
struct paint {
  ZGUARD_SCHEMA("cf.paint", 1);
  BOOST_HANA_DEFINE_STRUCT(paint, (colour, colour));
};
constexpr auto size = zg::max_encoded_size<paint>;
