// zguard/detail/closed.hpp - closed sets of types: which types are zguard's
// own tags, decided so that no declaration outside zguard can change it.
//
// A variable or class template can be specialized by anyone, so a trait
// such as `is_limits<T> = false` plus `is_limits<limits<Ls...>> = true`
// would admit `template <> constexpr bool is_limits<my_limits> = true;` and
// with it a derived type that hides the limits' values. Instead:
//  - the members of a set are the overloads of a static member function
//    `of` of a class (a class cannot be reopened, so no overload can be
//    added), with a catch-all `of(...)` that is not a template (so it cannot
//    be specialized); a member template can be specialized only for the
//    types its pattern already matches;
//  - the overloads take T** : neither a conversion nor template argument
//    deduction goes from Derived** to Base**, so a class derived from a
//    member is not a member;
//  - the answer is a concept (a concept cannot be specialized), under the
//    trait's usual name.
// A static_assert on such a concept alone writes `Concept<T> || false`: GCC
// then prints one note ("... evaluates to false") under zguard's sentence,
// not six lines explaining the concept.
#pragma once

namespace zguard {
inline namespace v0 {
namespace detail {

// Whether T is one of the types Members::of accepts; false for types that
// have no pointer (references), like every other non-member.
template <class Members, class T>
concept closed_member = Members::of(static_cast<T**>(nullptr));

}  // namespace detail
}  // namespace v0
}  // namespace zguard
