# Two network namespaces joined by a veth pair play hosts a (10.77.0.1) and
# b (10.77.0.2); sourced by the two-host tests. Needs root; fails, never
# skips, without it. Sets ns_a, ns_b and pids (killed on exit with the
# namespaces).
fail() { echo "$(basename "$0"): $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || fail "needs root to create network namespaces (ip netns); run the tests as root"
command -v ip >/dev/null || fail "needs iproute2's ip"

tag=$$
ns_a=zg-a-$tag ns_b=zg-b-$tag
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  ip netns del "$ns_a" 2>/dev/null || true
  ip netns del "$ns_b" 2>/dev/null || true
}
trap cleanup EXIT

ip netns add "$ns_a"
ip netns add "$ns_b"
ip link add "zga$tag" type veth peer name "zgb$tag"
ip link set "zga$tag" netns "$ns_a"
ip link set "zgb$tag" netns "$ns_b"
ip -n "$ns_a" addr add 10.77.0.1/24 dev "zga$tag"
ip -n "$ns_b" addr add 10.77.0.2/24 dev "zgb$tag"
for ns in "$ns_a" "$ns_b"; do
  ip -n "$ns" link set lo up
done
ip -n "$ns_a" link set "zga$tag" up
ip -n "$ns_b" link set "zgb$tag" up
# The hosts are apart: b reaches a only over the veth, at a's address.
ip netns exec "$ns_b" ip -4 addr show | grep -q 10.77.0.1 && fail "host b has host a's address"

# The secret files in a host's key directory, sorted, on one line.
secrets() { (cd "$1" && ls -- *_secret | sort | tr '\n' ' '); }
