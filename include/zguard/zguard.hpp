// zguard/zguard.hpp - the umbrella header: every header of the socket
// library. Two layers stay out, included where they are used, so that a
// program does not compile what it does not use: zguard/pipeline.hpp (the
// pipeline framework: links, stages, deployment files, the launcher) and
// zguard/config.hpp (reading TOML configuration; needs toml++).
#pragma once

#include <zguard/version.hpp>
#include <zguard/fixed_string.hpp>
#include <zguard/slots.hpp>
#include <zguard/domain.hpp>
#include <zguard/events.hpp>
#include <zguard/metrics.hpp>
#include <zguard/printable.hpp>
#include <zguard/context.hpp>
#include <zguard/transport.hpp>
#include <zguard/endpoint.hpp>
#include <zguard/pattern.hpp>
#include <zguard/keys.hpp>
#include <zguard/certificate.hpp>
#include <zguard/security.hpp>
#include <zguard/identity.hpp>
#include <zguard/connection.hpp>
#include <zguard/limits.hpp>
#include <zguard/auth.hpp>
#include <zguard/schema.hpp>
#include <zguard/shared_bytes.hpp>
#include <zguard/codec.hpp>
#include <zguard/one_of.hpp>
#include <zguard/schema_description.hpp>
#include <zguard/channel.hpp>
#include <zguard/batching.hpp>
#include <zguard/call_status.hpp>
#include <zguard/call_result.hpp>
#include <zguard/envelope.hpp>
#include <zguard/signing.hpp>
#include <zguard/vouch.hpp>
#include <zguard/sealed.hpp>
#include <zguard/proxy.hpp>
#include <zguard/rate_limit.hpp>
#include <zguard/router.hpp>
#include <zguard/socket.hpp>
#include <zguard/poll.hpp>
#include <zguard/log_settings.hpp>
#include <zguard/event_loop.hpp>
#include <zguard/retry.hpp>
#include <zguard/caller.hpp>
#include <zguard/permissions.hpp>
