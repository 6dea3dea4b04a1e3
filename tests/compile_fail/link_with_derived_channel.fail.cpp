// MESSAGE[zguard::link: the channel must be a zguard::service<...>, topic<...> or stream<...>; derived or hand-written channels are refused]
#include "common.hpp"
struct my_stream : zg::stream<small> {};
struct tasks : zg::link<"tasks", "ipc://{dir}/tasks", D, zg::ipc, my_stream, zg::null_mechanism, 1024> {};
static_assert(sizeof(tasks) > 0);
