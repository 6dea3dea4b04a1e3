// MESSAGE[zguard::link: a link's name is 1..64 of \[A-Za-z0-9_-\]: it names key and rendezvous files]
#include "common.hpp"
// A slash would put <stage>.<link>.seal outside the key directory.
using calls_channel = zg::service<small, small>;
struct c : zg::link<"../c", "ipc://{dir}/c", D, zg::ipc, calls_channel, zg::null_mechanism, 1024> {};
