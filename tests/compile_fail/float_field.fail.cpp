// MESSAGE[zguard::schema: a float/double field \(schema S, field Name: see check_field \[with ...\] above\) has no canonical encoding .*use zguard::ranged<std::int64_t, Lo, Hi> in fixed-point units .* or std::uint64_t with std::bit_cast]
// MESSAGE[check_field\(\) \[with S = quote; [^]]*"price"}; F = double\]]
#include "common.hpp"
struct quote {
  ZGUARD_SCHEMA("cf.quote", 1);
  BOOST_HANA_DEFINE_STRUCT(quote, (std::uint32_t, id), (double, price));
};
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::inproc, zg::push, zg::null_mechanism, L, zg::stream<quote>> s(ctx);
}
