// MESSAGE[a field has an unbounded type \(std::string, std::string_view or std::vector\); use zguard::bounded_string<N>]
#include "common.hpp"
// MESSAGE[unbounded_field_use_bounded_string_or_bounded_vector<.*"comment"]
struct loose {
  ZGUARD_SCHEMA("cf.loose", 1);
  BOOST_HANA_DEFINE_STRUCT(loose, (std::uint32_t, id), (std::string, comment));
};
constexpr auto size = zg::max_encoded_size<loose>;
