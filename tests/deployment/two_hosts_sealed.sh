#!/usr/bin/env bash
# pipeline_market across two hosts (docs/deployment.md): host a (10.77.0.1)
# runs the publisher and the two subscribers, host b (10.77.0.2) the
# forwarder alone, so every quote crosses host b twice. The links are sealed
# (G19): --keygen gives host a the subscribers' sealing key and host b none,
# no sealing file at all, only its CURVE keys; the quotes still arrive, every
# one opened, none refused.
#
# usage: two_hosts_sealed.sh PIPELINE_MARKET_BINARY WORK_DIR
# Needs root (network namespaces); fails, never skips, without it.
set -euo pipefail
bin=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work"
source "$here/netns.sh"

cat > market.deploy <<EOF
# pipeline_market on two hosts: the forwarder alone on b
host a keys $work/a/keys dir $work/a/run
host b keys $work/b/keys dir $work/b/run
stage publisher on a
stage subscriber on a
stage forwarder on b
link quotes_in bind tcp://10.77.0.1:5561
link quotes_out bind tcp://10.77.0.2:5562
EOF
chmod 600 market.deploy

"$bin" --keygen "$work/keys" --deployment market.deploy
mkdir -p a b
cp -a keys/a a/keys
cp -a keys/b b/keys
[[ $(secrets a/keys) == "publisher.quotes_in.sign_secret quotes_in.server.cert_secret subscriber.client.cert_secret subscriber.quotes_out.seal_secret " ]] ||
  fail "host a holds the secrets: $(secrets a/keys)"
[[ $(secrets b/keys) == "forwarder.client.cert_secret quotes_out.server.cert_secret " ]] ||
  fail "host b holds the secrets: $(secrets b/keys)"
! ls b/keys | grep -q '\.seal' || fail "the forwarder's host holds sealing files: $(ls b/keys)"
! ls b/keys | grep -q '\.sign' || fail "the forwarder's host holds signing files: $(ls b/keys)"

ip netns exec "$ns_b" "$bin" --launch --deployment market.deploy --host b > b.out 2>&1 &
pids+=($!)
host_b=$!
status=0
ip netns exec "$ns_a" timeout 150 "$bin" --launch --deployment market.deploy --host a --timeout-s 120 \
  > a.out 2> a.err || status=$?
cat a.out
[[ $status == 0 ]] || fail "host a exited with $status: $(tail -c 4000 a.err)"
for r in 0 1; do
  for line in "received 1000" "duplicates 0" "verify_drops 0" "seal_drops 0"; do
    grep -qx "result subscriber.$r $line" a.out || fail "host a: no line 'result subscriber.$r $line'"
  done
done

kill -TERM "$host_b"
wait "$host_b" || fail "host b exited with $?: $(cat b.out)"
cat b.out
grep -qx "result forwarder.0 identity_mismatches 0" b.out || fail "host b: the forwarder did not report"
echo "two hosts, sealed: 1000 quotes to each subscriber through a forwarder host that holds no sealing or signing key"
