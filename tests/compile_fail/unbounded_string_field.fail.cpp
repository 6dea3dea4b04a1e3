// MESSAGE[zguard::schema: a field \(schema S, field Name: see check_field \[with ...\] above\) has an unbounded type \(std::string, std::string_view or std::vector\); use zguard::bounded_string<N>]
// MESSAGE[check_field\(\) \[with S = loose; [^]]*"comment"}; F = std::__cxx11::basic_string<char>\]]
#include "common.hpp"
struct loose {
  ZGUARD_SCHEMA("cf.loose", 1);
  BOOST_HANA_DEFINE_STRUCT(loose, (std::uint32_t, id), (std::string, comment));
};
constexpr auto size = zg::max_encoded_size<loose>;
