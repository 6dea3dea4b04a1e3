// MESSAGE[zguard::schema: a floating-point field \(schema S, field Name: see check_field \[with ...\] above\) must be float or double \(IEEE 754 binary32 / binary64 on the wire\); long double has no portable encoding]
// MESSAGE[check_field\(\) \[with S = quote; [^]]*"price"}; F = long double\]]
#include "common.hpp"
struct quote {
  ZGUARD_SCHEMA("cf.quote", 1);
  BOOST_HANA_DEFINE_STRUCT(quote, (std::uint32_t, id), (long double, price));
};
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::inproc, zg::push, zg::null_mechanism, L, zg::stream<quote>> s(ctx);
}
