#!/usr/bin/env bash
# pipeline_tasks across two hosts (docs/deployment.md): two network
# namespaces joined by a veth pair play hosts a (10.77.0.1: ventilator, sink)
# and b (10.77.0.2: the two workers). Both run the program with one
# deployment file; each host holds only the key files --keygen exported for
# it. An intruder on host b with a worker key of its own (not one the
# deployment generated) connects first and must get no task. The systemd
# units generated for both hosts are checked with systemd-analyze verify.
#
# usage: two_hosts.sh PIPELINE_TASKS_BINARY WORK_DIR
# Needs root (network namespaces); fails, never skips, without it.
set -euo pipefail
bin=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work"
source "$here/netns.sh"

cat > tasks.deploy <<EOF
# pipeline_tasks on two hosts
host a keys $work/a/keys dir $work/a/run
host b keys $work/b/keys dir $work/b/run
stage ventilator on a
stage sink on a
stage worker on b
link tasks bind tcp://10.77.0.1:5555
link results bind tcp://0.0.0.0:5556 connect tcp://10.77.0.1:5556
EOF
chmod 600 tasks.deploy

# Keys: the whole set here, each host's share copied to that host.
"$bin" --print --deployment tasks.deploy | grep -A5 "^deployment"
"$bin" --keygen "$work/keys" --deployment tasks.deploy
mkdir -p a b
cp -a keys/a a/keys
cp -a keys/b b/keys
[[ $(secrets a/keys) == "results.server.cert_secret tasks.server.cert_secret " ]] ||
  fail "host a holds the secrets: $(secrets a/keys)"
[[ $(secrets b/keys) == "worker.client.cert_secret " ]] || fail "host b holds the secrets: $(secrets b/keys)"

# The intruder: host b's public files, but a worker key the deployment never made.
"$bin" --keygen "$work/other"
mkdir -p intruder/keys && cp -a b/keys/. intruder/keys/
cp other/worker.client.cert other/worker.client.cert_secret intruder/keys/
sed -e "s|$work/b/keys|$work/intruder/keys|; s|$work/b/run|$work/intruder/run|" tasks.deploy > intruder.deploy
chmod 600 intruder.deploy

# systemd units for both hosts, verified where systemd-analyze exists.
"$bin" --systemd-units "$work/units" --deployment tasks.deploy --tasks 300 > units.txt
[[ $(wc -l < units.txt) == 4 ]] || fail "expected 4 units (ventilator, sink, 2 workers), got: $(cat units.txt)"
grep -q "^ExecStart=$bin --deployment $work/tasks.deploy --stage worker --replica 1 --tasks 300$" \
  units/pipeline_tasks-worker-1.service || fail "worker unit: $(cat units/pipeline_tasks-worker-1.service)"
if command -v systemd-analyze >/dev/null; then
  for u in units/*.service; do
    systemd-analyze verify "$u" || fail "systemd-analyze verify $u failed"
  done
  echo "systemd-analyze verify: $(wc -l < units.txt) units ok"
else
  echo "systemd-analyze not installed: units checked by content only"
fi

# The intruder connects first, then host b's workers, then host a.
ip netns exec "$ns_b" "$bin" --stage worker --deployment intruder.deploy > intruder.out 2>&1 &
pids+=($!)
intruder=$!
ip netns exec "$ns_b" "$bin" --launch --deployment tasks.deploy --host b --tasks 300 > b.out 2>&1 &
pids+=($!)
host_b=$!
sleep 1
status=0
ip netns exec "$ns_a" timeout 150 "$bin" --launch --deployment tasks.deploy --host a --tasks 300 --timeout-s 120 \
  > a.out 2> a.err || status=$?
cat a.out
[[ $status == 0 ]] || fail "host a exited with $status: $(cat a.err)"
for line in "result ventilator.0 sent 300" "result sink.0 received 300" "result sink.0 duplicates 0" \
  "result sink.0 wrong 0" "result sink.0 workers 2"; do
  grep -qx "$line" a.out || fail "host a: no line '$line'"
done

# Host b serves until told to stop; then its workers report and it exits 0.
kill -TERM "$host_b" "$intruder"
wait "$host_b" || fail "host b exited with $?: $(cat b.out)"
wait "$intruder" || fail "the intruder exited with $?: $(cat intruder.out)"
cat b.out intruder.out
processed=$(awk '/^result worker\.[01] processed / {s += $4} END {print s + 0}' b.out)
[[ $processed == 300 ]] || fail "host b's workers processed $processed tasks, not 300"
grep -qx "result worker.0 processed 0" intruder.out || fail "the intruder got tasks: $(cat intruder.out)"
echo "two hosts: 300 tasks through host b's workers; the intruder's handshake was refused"
