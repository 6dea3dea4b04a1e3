// MESSAGE[zguard::link: MaxMessage must be in 1..268435456 bytes]
#include "common.hpp"
struct tasks : zg::link<"tasks", "ipc://{dir}/tasks", D, zg::ipc, zg::stream<small>, zg::null_mechanism,
                        std::size_t(1) << 40> {};
static_assert(sizeof(tasks) > 0);
