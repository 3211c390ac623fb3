// RegistrationEndpoint: the federation_registration_endpoint of one hosted
// OpenID Provider or OAuth authorization server (spec 12.2): POST only,
// bounded bodies, the per-client limits of resolution on demand; the
// request parsed and the RP resolved from what it presented (the library's
// registration.h), the client registered in the client store
// (client_store.h), the signed response returned and recorded in the shared
// cache for the other replicas (shared_registrations.h).
//
// sweep() (from the server's refresher) removes the clients whose
// registration has ended, and those another replica has registered again
// since (12.2.2 step 7).
//
// Thread-safe: handle() runs on every HTTP worker at once, sweep() beside it.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <oidfed/clock.h>
#include <oidfed/entity_id.h>
#include <oidfed/registration.h>
#include <oidfed/resolver.h>

#include "entity/hosted_entity.h"
#include "server/client_store.h"
#include "server/http_message.h"
#include "server/item_problem.h"
#include "server/resolve_endpoint.h"
#include "server/shared_registrations.h"

namespace oidfed::server {

class RegistrationEndpoint {
public:
    struct Parts {
        std::unique_ptr<Resolver> resolver;  ///< the anchors registrations rest on
        RegistrationPolicy policy;
        RegistrationRequestOptions request;
        /// How a peer_trust_chain is validated and the chain's policy
        /// applied again: the resolver's statement options and clock skew.
        ChainValidationOptions validation;
        std::unique_ptr<ClientStore> store;
        SharedRegistrations shared;
        /// The limits of resolution on demand (maxConcurrentOnDemand).
        ResolveEndpointOptions limits;
    };

    RegistrationEndpoint(EntityId op, Parts parts, ResolveEndpoint::Shared shared);

    /// Answers one request to the endpoint (the dispatcher has checked the
    /// method): 413 for a body over the limit, 415 for another media type,
    /// 429 / 503 over the limits of resolution on demand, the spec 8.9 /
    /// RFC 7591 errors of the checks, or 200 with the signed response,
    /// signed with `self`'s active key.
    HttpResponse handle(const HttpRequest &request, const entity::HostedEntity &self, UnixTime now);

    /// Removes every client whose registration ended at `now`, and those
    /// the shared cache shows registered again since by another replica;
    /// puts back into the shared cache a current registration it lacks.
    void sweep(const entity::HostedEntity &self, UnixTime now);

    /// What does not work now: files of the store that cannot be read,
    /// clients that could not be removed, a store that failed the last
    /// registration (Degraded: the role serves, but registrations fail).
    std::vector<ItemProblem> problems(const std::string &entityId) const;

    const ClientStore &store() const noexcept { return *store_; }

private:
    HttpResponse registerRp(const HttpRequest &request, const entity::HostedEntity &self, UnixTime now);

    EntityId op_;
    std::unique_ptr<Resolver> resolver_;
    RegistrationPolicy policy_;
    RegistrationRequestOptions requestOptions_;
    ChainValidationOptions validation_;
    std::unique_ptr<ClientStore> store_;
    SharedRegistrations shared_;
    ResolveEndpointOptions limits_;
    ResolveEndpoint::Shared limiters_;

    mutable std::mutex mutex_;
    std::vector<ItemProblem> sweepProblems_;  ///< guarded by mutex_: the last sweep's
    std::optional<Error> storeFailure_;       ///< guarded by mutex_: the last registration's, until one succeeds
};

} // namespace oidfed::server
