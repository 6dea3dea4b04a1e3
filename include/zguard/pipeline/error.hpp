// zguard/pipeline/error.hpp - what a pipeline throws at run time: a stage
// that fails, a link not bound in time, a bad flag or deployment file.
#pragma once

#include <stdexcept>

namespace zguard {
inline namespace v0 {

struct pipeline_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace v0
}  // namespace zguard
