/// Umbrella header: the whole public API of liboidfed.
#pragma once

#include <oidfed/error.h>
#include <oidfed/json.h>
#include <oidfed/result.h>
