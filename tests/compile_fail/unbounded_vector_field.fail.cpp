// MESSAGE[has an unbounded type \(std::string, std::string_view or std::vector\)]
// MESSAGE[check_field\(\) \[with S = loose; [^]]*"prices"}; F = std::vector<long int>\]]
#include "common.hpp"
struct loose {
  ZGUARD_SCHEMA("cf.loose", 1);
  BOOST_HANA_DEFINE_STRUCT(loose, (std::vector<std::int64_t>, prices));
};
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::inproc, zg::push, zg::null_mechanism, L, zg::stream<loose>> s(ctx);
}
