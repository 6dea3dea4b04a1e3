// MESSAGE[zguard::link: a link's name is 1..64 of \[A-Za-z0-9_-\]: it names key and rendezvous files]
#include "common.hpp"
// 65 characters, one past the bound (64, the longest, compiles: static_checks.cpp).
using calls_channel = zg::service<small, small>;
struct c : zg::link<"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "ipc://{dir}/c", D, zg::ipc,
                    calls_channel, zg::null_mechanism, 1024> {};
