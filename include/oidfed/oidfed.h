/// Umbrella header: the whole public API of liboidfed.
#pragma once

#include <oidfed/base64url.h>
#include <oidfed/error.h>
#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/jws.h>
#include <oidfed/jws_algorithm.h>
#include <oidfed/result.h>
