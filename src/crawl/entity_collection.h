// The Entity Collection endpoint's answers (OpenID Federation Entity
// Collection Endpoint 1.0, draft 00; summarised in the project's reference
// notes): every entity a crawl found with a valid chain under its trust
// anchor, in entity id order, paged with from_entity_id / limit /
// next_entity_id and filtered by entity_type (any of), trust_mark_type (all
// of, verified ones only), query (case-insensitive substring of the entity
// id, display names and keywords). UI infos come from the resolved metadata
// (policies applied), with their language-tagged variants.
//
// Built once per crawl (fromReport) and immutable: page() may run on any
// number of threads. Only entities whose chain verified are in it: the
// collection never lists what a crawl could not verify.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <oidfed/clock.h>
#include <oidfed/json.h>

#include "crawl/federation_crawl.h"

namespace oidfed::crawl {

/// An answer: 200 with the page, or an error status with the draft's /
/// spec 8.9's {"error", "error_description"}; the body serialized.
struct CollectionAnswer {
    int status = 200;
    std::string body;
};

class EntityCollection {
public:
    EntityCollection() = default;
    /// The valid entities of `report`; `lastUpdated` is the crawl's end.
    static EntityCollection fromReport(const CrawlReport &report);

    /// One page for the decoded request parameters (repeated names kept).
    /// `serverLimit`: the most entries a page has. Refusals: 400
    /// unsupported_parameter (an unknown entity_claims / ui_claims value),
    /// 400 invalid_request (a bad limit, a repeated single parameter), 404
    /// entity_id_not_found (from_entity_id is not in the collection).
    /// trust_anchor is checked by the caller (which collection to ask).
    CollectionAnswer page(const std::vector<std::pair<std::string, std::string>> &params,
                          std::size_t serverLimit) const;

    const std::string &trustAnchor() const noexcept { return trustAnchor_; }
    UnixTime lastUpdated() const noexcept { return lastUpdated_; }
    std::size_t size() const noexcept { return entries_.size(); }

    struct Entry {
        std::string entityId;
        std::vector<std::string> entityTypes;
        Json uiInfos;                         ///< entity type -> {display_name, ...}
        std::vector<std::string> trustMarkTypes;  ///< verified, sorted
        Json trustMarks;                      ///< [{"trust_mark_type", "trust_mark"}], verified
        std::string searchText;               ///< lowercased id, display names, keywords
        /// The entry as a page lists it when the request selects no claims
        /// and no entity type (most requests), serialized once.
        std::string fullJson;
    };

private:
    std::string trustAnchor_;
    UnixTime lastUpdated_ = 0;
    std::vector<Entry> entries_;  ///< sorted by entityId
};

} // namespace oidfed::crawl
