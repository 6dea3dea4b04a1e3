// Waiting out the slow joiner of a typed PUB/SUB pair over the test schemas
// (apart from schemas.hpp, which the describe_schemas tool builds without
// doctest).
#pragma once

#include "../schemas.hpp"
#include "../support.hpp"

namespace zguard_test {

// Publishes warm-up ticks ("W") until the subscriber has one: the
// subscription has then reached the publisher.
template <class Pub, class Sub>
bool joined(Pub& pub, Sub& sub) {
  return eventually([&] {
    (void)pub.send(tick{"W", 0, 0});
    return sub.template receive<tick>().has_value();
  });
}

}  // namespace zguard_test
