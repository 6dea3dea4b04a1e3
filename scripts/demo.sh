#!/usr/bin/env bash
# Builds the examples and runs the demo pipeline end to end on loopback:
# key generation, a CURVE service with an allowlist, an allowed client, and
# an intruder whose key is not on the list (refused and logged).
#
# With --sanitize it runs the same steps on the AddressSanitizer + UBSan +
# LeakSanitizer build (preset "sanitize", build-sanitize/) and fails if any
# program, in the foreground or the background, reported anything.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=default
[ "${1:-}" = --sanitize ] && preset=sanitize
bash scripts/deps.sh
cmake --preset $preset
cmake --build --preset $preset -j2 --target zguard_keygen curve_service curve_client \
  signed_publisher signed_subscriber broker worker feed_forwarder security_profiles sealed_capture \
  pipeline_tasks pipeline_market pipeline_broker zguard_cli
bin=build/examples
[ $preset = sanitize ] && bin=build-sanitize/examples
work=$(mktemp -d)
if [ $preset = sanitize ]; then
  export ASAN_OPTIONS="detect_leaks=1:log_path=$work/sanitizer"
  export UBSAN_OPTIONS="print_stacktrace=1:log_path=$work/sanitizer"
fi
service_pid= feed_pid=
pids=()  # background programs of steps 10-12
trap 'kill $service_pid $feed_pid "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -m 700 "$work/allowed" "$work/textfile"
# Prints the endpoint a background program wrote to file $1 (waits up to 5 s).
await_endpoint() {
  for _ in $(seq 50); do [ -s "$1" ] && break; sleep 0.1; done
  cat "$1"
}

echo "== 0. what every socket of the pipeline protects against (security profiles, from the types)"
$bin/security_profiles

echo "== 1. keys: zguard_keygen writes CZMQ-compatible certificates"
$bin/zguard_keygen --out "$work/server.cert" --name demo-server
$bin/zguard_keygen --out "$work/client.cert" --name demo-client
$bin/zguard_keygen --out "$work/intruder.cert" --name intruder
cp "$work/client.cert" "$work/allowed/"
ls -l "$work"

echo "== 2. service: CURVE REP on tcp://127.0.0.1:*, allowlist = client.cert only"
$bin/curve_service --bind 'tcp://127.0.0.1:*' --cert "$work/server.cert" --allow-dir "$work/allowed" \
  --endpoint-file "$work/endpoint" &
service_pid=$!
endpoint=$(await_endpoint "$work/endpoint")

echo "== 3. allowed client: served"
$bin/curve_client --connect "$endpoint" --cert "$work/client.cert" --server-cert "$work/server.cert" \
  --message "hello from the allowed client" --count 3

echo "== 4. intruder (valid CURVE keys, not on the allowlist): refused at the handshake"
status=0
$bin/curve_client --connect "$endpoint" --cert "$work/intruder.cert" --server-cert "$work/server.cert" \
  --message "let me in" --count 1 --attempts 1 || status=$?
if [ "$status" -ne 5 ]; then
  echo "demo: FAILED, the intruder was not told it was refused at the handshake (exit $status, want 5)"; exit 1
fi
echo "(the service's JSON security events above show the zap.deny and handshake.failed_auth)"

echo "== 5. a raw pyzmq peer (allowed key) sends a frame that is not an example.request"
/usr/bin/python3 - "$endpoint" "$work/server.cert" "$work/client.cert_secret" <<'PY'
import sys, zmq, zmq.auth
endpoint, server_cert, client_cert = sys.argv[1:4]
server_public, _ = zmq.auth.load_certificate(server_cert)
public, secret = zmq.auth.load_certificate(client_cert)
ctx = zmq.Context(); s = ctx.socket(zmq.REQ); s.linger = 0; s.rcvtimeo = 3000
s.curve_serverkey, s.curve_publickey, s.curve_secretkey = server_public, public, secret
s.connect(endpoint)
s.send(b"\x01\x0fexample.request\x01\x00\x07\x00")   # right schema, body cut short
reply = s.recv()
reasons = ["truncated", "length_over_bound", "out_of_range", "unknown_enum_value", "invalid_utf8",
           "trailing_bytes", "unsupported_format", "wrong_schema", "wrong_version", "peer_refused"]
name_len = reply[1]
print("pyzmq peer: the service answered zguard.refusal, reason:", reasons[reply[2 + name_len + 2]])
PY
$bin/curve_client --connect "$endpoint" --cert "$work/client.cert" --server-cert "$work/server.cert" \
  --message "still served after the malformed frame" --count 1

echo "== 6. shutting the service down"
kill -TERM $service_pid; wait $service_pid || true

echo "== 7. signed feed: an Ed25519 signing key; a publisher over CURVE signs every quote"
$bin/zguard_keygen --out "$work/feed.key" --sign ed25519
$bin/zguard_keygen --out "$work/stranger.key" --sign ed25519
$bin/signed_publisher --bind 'tcp://127.0.0.1:*' --cert "$work/server.cert" --allow-dir "$work/allowed" \
  --signing-key "$work/feed.key" --topic quotes.eur --count 400 --interval-ms 20 \
  --endpoint-file "$work/feed_endpoint" &
feed_pid=$!
feed=$(await_endpoint "$work/feed_endpoint")

echo "== 8. a subscriber holding the feed's verify key: quotes delivered only after verification"
$bin/signed_subscriber --connect "$feed" --cert "$work/client.cert" --server-cert "$work/server.cert" \
  --verify-keys "$work/feed.key" --topic quotes.eur --count 10

echo "== 9. a subscriber trusting another key: every quote dropped (verify.unknown_key)"
if $bin/signed_subscriber --connect "$feed" --cert "$work/client.cert" --server-cert "$work/server.cert" \
     --verify-keys "$work/stranger.key" --topic quotes.eur --count 1 --timeout-s 2 2>"$work/stranger.log"; then
  echo "demo: FAILED, an unverifiable quote was delivered"; exit 1
fi
echo "security events of that subscriber: $(grep -c verify.unknown_key "$work/stranger.log") x verify.unknown_key, e.g."
head -n 1 "$work/stranger.log"
kill -TERM $feed_pid 2>/dev/null || true; wait $feed_pid || true

echo "== 10. broker: CURVE ROUTER front (allowlist, 100 requests/s per key), two workers on ipc;"
echo "       the broker vouches to its workers for each request's client (a group MAC key)"
$bin/zguard_keygen --out "$work/vouch.key" --sign blake2b
$bin/zguard_keygen --out "$work/guest.cert" --name guest  # admitted by the broker (below), not by the permissions
cp "$work/guest.cert" "$work/allowed/"
$bin/broker --front 'tcp://127.0.0.1:*' --cert "$work/server.cert" --allow-dir "$work/allowed" \
  --back "ipc://$work/workers.sock" --vouch-key "$work/vouch.key" --endpoint-file "$work/broker_endpoint" \
  --metrics-file "$work/textfile/broker.prom" &
pids+=($!)
broker=$(await_endpoint "$work/broker_endpoint")
# Who may call the workers: the client, not the guest (both pass the broker's allowlist).
client_key=$(sed -n 's/^ *public-key = "\(.*\)"$/\1/p' "$work/client.cert")
echo "key $client_key call allow example.request" > "$work/permissions"
chmod 644 "$work/permissions"  # others may not write who may do what
zguard_tool=build/tools/zguard
[ $preset = sanitize ] && zguard_tool=build-sanitize/tools/zguard
$zguard_tool permissions "$work/permissions"
$bin/worker --connect "ipc://$work/workers.sock" --name worker-1 --vouch-key "$work/vouch.key" \
  --permissions "$work/permissions" & pids+=($!)
$bin/worker --connect "ipc://$work/workers.sock" --name worker-2 --vouch-key "$work/vouch.key" \
  --permissions "$work/permissions" & pids+=($!)

echo "== 11. the allowed client through the broker: replies from both workers, which print its key"
$bin/curve_client --connect "$broker" --cert "$work/client.cert" --server-cert "$work/server.cert" \
  --message "via the broker" --count 4
echo "== 11a. the same client with eight requests in flight at once (a DEALER and a zguard::caller)"
$bin/curve_client --connect "$broker" --cert "$work/client.cert" --server-cert "$work/server.cert" \
  --message "in flight" --count 16 --in-flight 8
echo "== 11b. a guest the broker lets in but the permissions do not: told 'not permitted', never served"
status=0
$bin/curve_client --connect "$broker" --cert "$work/guest.cert" --server-cert "$work/server.cert" \
  --message "may I?" --count 1 --attempts 1 || status=$?
if [ "$status" -ne 4 ]; then
  echo "demo: FAILED, the guest was not refused as not permitted (exit $status, want 4)"; exit 1
fi

echo "== 11c. the broker's metrics: scraped by Debian's prometheus-node-exporter, and its health check"
sleep 1.2  # the broker writes its figures once a second
$zguard_tool health "$work/textfile/broker.prom" --max-age 10
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
/usr/bin/prometheus-node-exporter --collector.disable-defaults --collector.textfile \
  --collector.textfile.directory="$work/textfile" --web.listen-address="127.0.0.1:$port" --log.level=warn &
pids+=($!)
/usr/bin/python3 - "$port" <<'PY'
import sys, time, urllib.request
url = "http://127.0.0.1:%s/metrics" % sys.argv[1]
for _ in range(100):
    try:
        text = urllib.request.urlopen(url, timeout=2).read().decode()
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("demo: FAILED, the node exporter did not answer")
shown = ("zguard_proxy_messages_total", "zguard_proxy_dropped_total", "zguard_handshakes_total",
         "zguard_connections_open", "zguard_zap_decisions_total", "node_textfile_scrape_error")
for line in text.splitlines():
    if line.startswith(shown):
        print("scraped:", line)
if "node_textfile_scrape_error 0" not in text or "zguard_proxy_messages_total" not in text:
    sys.exit("demo: FAILED, the broker's metrics were not scraped")
PY

echo "== 11d. what a broker's capture holds of a call: the text, and with sealed<> ciphertext only"
$bin/sealed_capture --message "card 4111 1111 1111 1111, exp 12/29"

echo "== 12. a signed feed through a relay that holds no signing key"
$bin/zguard_keygen --out "$work/relay.cert" --name relay
mkdir -m 700 "$work/publisher_allowed"
cp "$work/relay.cert" "$work/publisher_allowed/"
$bin/signed_publisher --bind 'tcp://127.0.0.1:*' --cert "$work/server.cert" --allow-dir "$work/publisher_allowed" \
  --signing-key "$work/feed.key" --topic quotes.usd --count 0 --interval-ms 20 \
  --endpoint-file "$work/feed2_endpoint" &
pids+=($!)
feed2=$(await_endpoint "$work/feed2_endpoint")
$bin/feed_forwarder --connect "$feed2" --publisher-cert "$work/server.cert" --cert "$work/relay.cert" \
  --bind 'tcp://127.0.0.1:*' --allow-dir "$work/allowed" --endpoint-file "$work/relay_endpoint" &
pids+=($!)
relay=$(await_endpoint "$work/relay_endpoint")
$bin/signed_subscriber --connect "$relay" --cert "$work/client.cert" --server-cert "$work/relay.cert" \
  --verify-keys "$work/feed.key" --topic quotes.usd --count 5
kill -TERM "${pids[@]}" 2>/dev/null || true
wait "${pids[@]}" 2>/dev/null || true
echo "== 13-15. pipelines: whole topologies as checked types, one stage per process (docs/pipelines.md)"
for p in tasks market broker; do
  echo "-- pipeline_$p: its topology, then its keys, then a run"
  $bin/pipeline_$p --print | head -n 3
  mkdir -m 700 "$work/$p-rdv"
  $bin/pipeline_$p --keygen "$work/$p-keys"
  if [ $p = market ]; then
    echo "sealing keys (the subscribers' alone; the forwarder holds none): $(cd "$work/$p-keys" && echo *.seal*)"
  fi
  $bin/pipeline_$p --launch --keys "$work/$p-keys" --dir "$work/$p-rdv" --timeout-s 60 2>"$work/$p.log" | sort
done
echo "-- pipeline_tasks across two hosts: where each stage runs, and host b's systemd units (docs/deployment.md)"
$bin/pipeline_tasks --print --deployment examples/deploy/pipeline_tasks.deploy | sed -n '/^deployment/,$p'
$bin/pipeline_tasks --systemd-units "$work/units" --deployment examples/deploy/pipeline_tasks.deploy --host b \
  --exe /usr/bin/pipeline_tasks --tasks 300 | sed "s|$work/||"
grep '^ExecStart=' "$work/units/pipeline_tasks-worker-0.service"

if compgen -G "$work/sanitizer.*" >/dev/null; then
  cat "$work"/sanitizer.*
  echo "demo: FAILED, a sanitizer reported the reports above"; exit 1
fi
echo "demo: ok$([ $preset = sanitize ] && echo ', no AddressSanitizer/UBSan/LeakSanitizer report')"
