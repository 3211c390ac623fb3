/// Umbrella header: the whole public API of liboidfed.
#pragma once

#include <oidfed/base64url.h>
#include <oidfed/cache.h>
#include <oidfed/cache_key.h>
#include <oidfed/cache_options.h>
#include <oidfed/clock.h>
#include <oidfed/constraints.h>
#include <oidfed/entity_id.h>
#include <oidfed/entity_statement.h>
#include <oidfed/error.h>
#include <oidfed/federation_urls.h>
#include <oidfed/fetch_options.h>
#include <oidfed/fetcher.h>
#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/jws.h>
#include <oidfed/jws_algorithm.h>
#include <oidfed/metadata_policy.h>
#include <oidfed/metadata_resolution.h>
#include <oidfed/operator_registry.h>
#include <oidfed/parameter_policy.h>
#include <oidfed/policy_operator.h>
#include <oidfed/result.h>
#include <oidfed/statement_issuer.h>
