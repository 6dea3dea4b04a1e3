// The socket types of the demo pipeline, one place for all example programs:
// each program uses its own, and security_profiles prints them all (G17).
#pragma once

#include "example_schemas.hpp"

namespace example {

// curve_service
// Compile-time limits: the type refuses to build without them, and refuses a
// schema that could encode to more than max_message_size.
using service_limits = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::block_when_full,
                                  zg::max_message_size<2048>, zg::linger_ms<0>, zg::send_timeout_ms<1000>,
                                  zg::recv_timeout_ms<200>, zg::handshake_timeout_ms<5000>>;
using service_socket =
    zg::socket<service_domain, zg::tcp, zg::rep, zg::curve_server, service_limits, example::service_channel>;

// curve_client
using client_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full,
                                 zg::max_message_size<2048>, zg::linger_ms<0>, zg::send_timeout_ms<1000>,
                                 zg::recv_timeout_ms<1000>, zg::handshake_timeout_ms<5000>>;
using client_socket =
    zg::socket<service_domain, zg::tcp, zg::req, zg::curve_client, client_limits, example::service_channel>;
// curve_client --in-flight N: a DEALER whose caller keeps N calls in flight,
// each answer matched to its call by the call id it carries.
using async_client_socket =
    zg::socket<service_domain, zg::tcp, zg::dealer, zg::curve_client, client_limits, example::service_channel>;

// broker
using front_limits = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::block_when_full,
                                zg::max_message_size<2048>, zg::linger_ms<0>, zg::send_timeout_ms<1000>,
                                zg::recv_timeout_ms<1000>, zg::handshake_timeout_ms<5000>,
                                zg::per_peer_rate<100, 20>>;
using back_limits = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::block_when_full,
                               zg::max_message_size<2048>, zg::linger_ms<0>, zg::send_timeout_ms<1000>,
                               zg::recv_timeout_ms<1000>, zg::handshake_timeout_ms<5000>>;
using front_socket = zg::socket<service_domain, zg::tcp, zg::router, zg::curve_server, front_limits>;
using back_socket = zg::socket<service_domain, zg::ipc, zg::dealer, zg::null_mechanism, back_limits>;

// worker
using worker_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full,
                                 zg::max_message_size<2048>, zg::linger_ms<0>, zg::send_timeout_ms<1000>,
                                 zg::recv_timeout_ms<200>, zg::handshake_timeout_ms<5000>>;
using worker_socket =
    zg::socket<service_domain, zg::ipc, zg::rep, zg::null_mechanism, worker_limits, example::service_channel>;
// worker --vouch-key: each request must carry the broker's vouch for its
// client (broker --vouch-key, the same group MAC key), checked before
// decoding; the handler learns the client's CURVE key.
using vouched_worker_socket = zg::socket<service_domain, zg::ipc, zg::rep, zg::null_mechanism, worker_limits,
                                         example::service_channel, zg::vouched<zg::blake2b_mac>>;
// worker --vouch-key --permissions: and the client the broker vouched for
// must be permitted to call example.request (G18).
using authorized_worker_socket = zg::socket<service_domain, zg::ipc, zg::rep, zg::null_mechanism, worker_limits,
                                            example::service_channel, zg::vouched<zg::blake2b_mac>, zg::authorized>;

// signed_publisher (pipeline_market adds its links' sealed<...>)
template <class Topic, class... Sealing>
using publisher_socket =
    zg::socket<feed_domain, zg::tcp, zg::pub, zg::curve_server, feed_limits, Topic, feed_signing, Sealing...>;

// signed_subscriber (pipeline_market adds its links' sealed<...>)
template <class Topic, class... Sealing>
using subscriber_socket =
    zg::socket<feed_domain, zg::tcp, zg::sub, zg::curve_client, feed_limits, Topic, feed_signing, Sealing...>;

// feed_forwarder
using upstream_socket = zg::socket<feed_domain, zg::tcp, zg::xsub, zg::curve_client, feed_limits>;
using downstream_socket = zg::socket<feed_domain, zg::tcp, zg::xpub, zg::curve_server, feed_limits>;

}  // namespace example
