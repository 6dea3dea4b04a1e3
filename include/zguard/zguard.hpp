// zguard/zguard.hpp - the umbrella header: everything a user needs.
#pragma once

#include <zguard/version.hpp>
#include <zguard/fixed_string.hpp>
#include <zguard/slots.hpp>
#include <zguard/domain.hpp>
#include <zguard/events.hpp>
#include <zguard/context.hpp>
#include <zguard/transport.hpp>
#include <zguard/endpoint.hpp>
#include <zguard/pattern.hpp>
#include <zguard/keys.hpp>
#include <zguard/certificate.hpp>
#include <zguard/security.hpp>
#include <zguard/limits.hpp>
#include <zguard/auth.hpp>
#include <zguard/schema.hpp>
#include <zguard/codec.hpp>
#include <zguard/channel.hpp>
#include <zguard/envelope.hpp>
#include <zguard/signing.hpp>
#include <zguard/proxy.hpp>
#include <zguard/rate_limit.hpp>
#include <zguard/router.hpp>
#include <zguard/socket.hpp>
#include <zguard/link.hpp>
#include <zguard/pipeline.hpp>
