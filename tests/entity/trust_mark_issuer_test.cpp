// The issuing side of trust marks: the type files (TrustMarkCatalog), the
// revocation edit of `oidfed trust-mark revoke`, and TrustMarkIssuer's marks,
// holders and status answers (spec 8.4), on temporary directories with keys
// generated at run time.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <oidfed/jws.h>
#include <oidfed/trust_mark.h>
#include <oidfed/trust_mark_status.h>

#include "entity/key_store.h"
#include "entity/trust_mark_catalog.h"
#include "entity/trust_mark_issuer.h"
#include "entity/trust_mark_record.h"
#include "test_support.h"
#include "temp_dir.h"

using namespace oidfed;
using namespace oidfed::entity;
using test::json;

namespace fs = std::filesystem;

namespace {

constexpr UnixTime kNow = 1767800000;
const std::string kType = "https://marks.example/certified";

using test::TempDir;

void writeText(const fs::path &path, const std::string &text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

std::string readText(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

EntityId id(std::string_view text)
{
    auto parsed = EntityId::parse(text);
    REQUIRE(parsed);
    return *parsed;
}

const std::string kFile = R"({
  "trust_mark_type": "https://marks.example/certified",
  "ref": "https://marks.example/certified/about",
  "subjects": [
    {"entity_id": "https://op.example", "comment": "audited"},
    {"entity_id": "https://gone.example", "revoked": {"revoked_at": 1767700000, "reason": "audit failed"}}
  ]
})";

std::shared_ptr<const TrustMarkCatalog> load(const fs::path &dir)
{
    auto catalog = TrustMarkCatalog::loadDirectory(dir);
    REQUIRE_MESSAGE(catalog, catalog.error().describe());
    return *catalog;
}

KeyStore keysIn(const fs::path &dir)
{
    auto store = KeyStore::open(dir, KeyStoreOptions{}, kNow - 60);
    REQUIRE_MESSAGE(store, store.error().describe());
    return std::move(store).value();
}

// The settings of an issuer whose type files (and record) are in `dir`.
TrustMarkIssuerSettings settingsFor(const fs::path &dir)
{
    return TrustMarkIssuerSettings{.directory = dir};
}

// `root`/marks holding kFile with `members` (`"name": value, `) added;
// returns that directory.
fs::path marksWith(const fs::path &root, const std::string &members)
{
    const fs::path marks = root / "marks";
    fs::create_directories(marks);
    std::string text = kFile;
    text.replace(text.find("\"ref\""), 0, members);
    writeText(marks / "certified.json", text);
    return marks;
}

} // namespace

TEST_CASE("type files: parsed strictly, one per type")
{
    TempDir dir;
    writeText(dir.path() / "certified.json", kFile);
    writeText(dir.path() / ".editor-swap.json", "not json");
    auto catalog = load(dir.path());
    REQUIRE(catalog->all().size() == 1);
    const TrustMarkTypeRecord *record = catalog->find(kType);
    REQUIRE(record);
    CHECK(record->ref == "https://marks.example/certified/about");
    REQUIRE(record->find("https://gone.example"));
    CHECK(record->find("https://gone.example")->revoked->reason == "audit failed");
    CHECK_FALSE(record->find("https://op.example")->revoked);
    CHECK_FALSE(record->find("https://stranger.example"));

    auto refused = [&](const std::string &text) {
        auto parsed = parseTrustMarkTypeFile(json(text), "x.json", dir.path());
        return !parsed.has_value();
    };
    CHECK(refused(R"({"trust_mark_type": "t", "subjects": [], "lifetime": 60})"));       // unknown member
    CHECK(refused(R"({"subjects": []})"));                                               // no type
    CHECK(refused(R"({"trust_mark_type": "t"})"));                                        // no subjects
    CHECK(refused(R"({"trust_mark_type": "t", "subjects": [{"entity_id": "https://a.example"},
                                                            {"entity_id": "https://a.example"}]})"));  // twice
    CHECK(refused(R"({"trust_mark_type": "t", "subjects": [{"entity_id": "not a url"}]})"));
    CHECK(refused(R"({"trust_mark_type": "t", "subjects": [{"entity_id": "https://a.example", "revoked": {}}]})"));
    CHECK(refused(R"({"trust_mark_type": "t", "subjects": [], "lifetime_seconds": 10})"));
    CHECK(refused(R"({"trust_mark_type": "t", "subjects": [], "logo_uri": "http://logo.example/x.png"})"));
    CHECK(refused(R"({"trust_mark_type": "t", "subjects": [], "delegation_file": "missing.jwt"})"));
    CHECK(refused(R"({"trust_mark_type": "t", "subjects": [], "delegation_file": "d.jwt",
                      "delegated_by": "https://owner.example"})"));

    writeText(dir.path() / "again.json", kFile);
    CHECK_FALSE(TrustMarkCatalog::loadDirectory(dir.path()));  // two files, one type
    CHECK_FALSE(TrustMarkCatalog::loadDirectory(dir.path() / "missing"));
}

TEST_CASE("revokeTrustMarkSubject edits exactly one entry and refuses the rest")
{
    TempDir dir;
    writeText(dir.path() / "certified.json", kFile);
    auto file = revokeTrustMarkSubject(dir.path(), kType, "https://op.example", "compromised", kNow);
    REQUIRE_MESSAGE(file, file.error().describe());
    CHECK(*file == "certified.json");
    auto catalog = load(dir.path());
    const TrustMarkSubject *op = catalog->find(kType)->find("https://op.example");
    REQUIRE(op->revoked);
    CHECK(op->revoked->revokedAt == kNow);
    CHECK(op->revoked->reason == "compromised");
    CHECK(op->comment == "audited");
    CHECK(readText(dir.path() / "certified.json").find("\"ref\"") != std::string::npos);

    CHECK(revokeTrustMarkSubject(dir.path(), kType, "https://op.example", "", kNow).error().code ==
          ErrorCode::InvalidArgument);
    CHECK(revokeTrustMarkSubject(dir.path(), kType, "https://stranger.example", "", kNow).error().code ==
          ErrorCode::NotFound);
    CHECK(revokeTrustMarkSubject(dir.path(), "https://other.example/t", "https://op.example", "", kNow).error().code ==
          ErrorCode::NotFound);
}

TEST_CASE("TrustMarkIssuer: marks, holders and status answers")
{
    TempDir dir;
    fs::create_directories(dir.path() / "marks");
    writeText(dir.path() / "marks" / "certified.json", kFile);
    KeyStore keys = keysIn(dir.path() / "keys");
    const Jwk signingKey = keys.activeKey();
    auto issuer = TrustMarkIssuer::create(id("https://tmi.example"), settingsFor(dir.path() / "marks"), keys,
                                          load(dir.path() / "marks"), {}, kNow, {});
    REQUIRE_MESSAGE(issuer, issuer.error().describe());

    auto mark = (*issuer)->mark(kType, "https://op.example", kNow);
    REQUIRE(mark);
    auto decoded = decodeTrustMark((*mark)->body);
    REQUIRE(decoded);
    CHECK(decoded->issuer.str() == "https://tmi.example");
    CHECK(decoded->subject.str() == "https://op.example");
    CHECK(decoded->expiresAt == kNow + 86400);
    CHECK((*issuer)->mark(kType, "https://gone.example", kNow).error().code == ErrorCode::NotFound);
    CHECK((*issuer)->mark(kType, "https://stranger.example", kNow).error().code == ErrorCode::NotFound);
    CHECK((*issuer)->mark("https://other.example/t", "https://op.example", kNow).error().code == ErrorCode::NotFound);
    // Pre-signed: the same document until half of its lifetime, then a new one.
    CHECK((*issuer)->mark(kType, "https://op.example", kNow + 100).value()->body == (*mark)->body);
    CHECK((*issuer)->refresh(kNow + 100).value() == 0);
    CHECK((*issuer)->refresh(kNow + 43200).value() == 1);
    CHECK((*issuer)->mark(kType, "https://op.example", kNow + 43200).value()->body != (*mark)->body);

    CHECK((*issuer)->holders(kType, std::nullopt, kNow).value() == std::vector<std::string>{"https://op.example"});
    CHECK((*issuer)->holders(kType, "https://gone.example", kNow).value().empty());
    CHECK_FALSE((*issuer)->holders("https://other.example/t", std::nullopt, kNow));

    const std::string jwt = (*mark)->body;
    CHECK((*issuer)->status(jwt, kNow).value() == TrustMarkStatus::Active);
    CHECK((*issuer)->status(jwt, kNow + 86400).value() == TrustMarkStatus::Expired);
    std::string tampered = jwt;
    tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
    CHECK((*issuer)->status(tampered, kNow).value() == TrustMarkStatus::Invalid);
    CHECK((*issuer)->status("garbage", kNow).error().code == ErrorCode::InvalidArgument);
    auto other = issueTrustMark(TrustMarkClaims{.issuer = id("https://other.example"),
                                                .subject = id("https://op.example"),
                                                .trustMarkType = kType,
                                                .issuedAt = kNow},
                                signingKey);
    REQUIRE(other);
    CHECK((*issuer)->status(*other, kNow).error().code == ErrorCode::NotFound);
    auto gone = issueTrustMark(TrustMarkClaims{.issuer = id("https://tmi.example"),
                                               .subject = id("https://gone.example"),
                                               .trustMarkType = kType,
                                               .issuedAt = kNow,
                                               .expiresAt = kNow + 60},
                               signingKey);
    REQUIRE(gone);
    // Signed by this issuer but never recorded: unknown (8.4.2), even for a
    // revoked subject; once recorded (as `trust-mark issue --dir` does), revoked.
    CHECK((*issuer)->status(*gone, kNow).error().code == ErrorCode::NotFound);
    REQUIRE(recordIssuedTrustMark(dir.path() / "marks", *gone));
    CHECK((*issuer)->status(*gone, kNow).value() == TrustMarkStatus::Revoked);

    auto response = (*issuer)->signStatus(jwt, TrustMarkStatus::Active, kNow);
    REQUIRE(response);
    auto verified = verifyTrustMarkStatusResponse(*response, keys.publishedKeys(kNow), id("https://tmi.example"), jwt,
                                                  kNow);
    REQUIRE_MESSAGE(verified, verified.error().describe());
    CHECK(verified->active());
}

TEST_CASE("TrustMarkIssuer: the record of marks issued (8.4.2), kept across restarts and pruned")
{
    TempDir dir;
    const fs::path marks = dir.path() / "marks";
    fs::create_directories(marks);
    writeText(marks / "certified.json", kFile);
    KeyStore keys = keysIn(dir.path() / "keys");
    auto issuer = TrustMarkIssuer::create(id("https://tmi.example"), settingsFor(marks), keys, load(marks), {}, kNow, {});
    REQUIRE_MESSAGE(issuer, issuer.error().describe());
    // Signed at creation, recorded only once handed out.
    CHECK_FALSE(fs::exists(marks / std::string(kTrustMarkRecordFile)));
    auto handed = (*issuer)->mark(kType, "https://op.example", kNow);
    REQUIRE(handed);
    const std::string jwt = (*handed)->body;
    const std::string recorded = readText(marks / std::string(kTrustMarkRecordFile));
    CHECK(recorded.find("\"sha256\":\"" + trustMarkRecordDigest(jwt) + "\"") != std::string::npos);
    CHECK(recorded.find("\"sub\":\"https://op.example\"") != std::string::npos);
    (void)(*issuer)->mark(kType, "https://op.example", kNow + 10);  // the same mark: not recorded twice
    CHECK(std::count(recorded.begin(), recorded.end(), '\n') == 1);
    CHECK(readText(marks / std::string(kTrustMarkRecordFile)) == recorded);
    // Re-signed by refresh(): recorded when handed out, not before.
    REQUIRE((*issuer)->refresh(kNow + 43200).value() == 1);
    CHECK(readText(marks / std::string(kTrustMarkRecordFile)) == recorded);
    auto renewed = (*issuer)->mark(kType, "https://op.example", kNow + 43200);
    REQUIRE(renewed);
    CHECK((*issuer)->status((*renewed)->body, kNow + 43200).value() == TrustMarkStatus::Active);

    // An unknown, well-formed mark signed with the issuer's key for a listed
    // subject: 404.
    auto unknown = issueTrustMark(TrustMarkClaims{.issuer = id("https://tmi.example"),
                                                  .subject = id("https://op.example"),
                                                  .trustMarkType = kType,
                                                  .issuedAt = kNow - 1,
                                                  .expiresAt = kNow + 600},
                                  keys.activeKey());
    REQUIRE(unknown);
    auto status = (*issuer)->status(*unknown, kNow);
    REQUIRE_FALSE(status);
    CHECK(status.error().code == ErrorCode::NotFound);

    // A restart reads the record: the marks it handed out are still known.
    auto restarted = TrustMarkIssuer::create(id("https://tmi.example"), settingsFor(marks), keys, load(marks), {},
                                             kNow + 60, {});
    REQUIRE_MESSAGE(restarted, restarted.error().describe());
    CHECK((*restarted)->status(jwt, kNow + 60).value() == TrustMarkStatus::Active);
    CHECK((*restarted)->status(*unknown, kNow + 60).error().code == ErrorCode::NotFound);
    // Recorded by another process after the start (the CLI): read on a miss.
    REQUIRE(recordIssuedTrustMark(marks, *unknown));
    CHECK((*restarted)->status(*unknown, kNow + 60).value() == TrustMarkStatus::Active);

    // Pruned only well after exp: "expired" meanwhile, then unknown.
    const UnixTime exp = kNow + 600;
    CHECK(pruneTrustMarkRecord(marks, exp + kTrustMarkRecordRetention).value() == 0);
    CHECK((*restarted)->status(*unknown, exp + 1).value() == TrustMarkStatus::Expired);
    writeText(marks / std::string(kTrustMarkRecordFile), readText(marks / std::string(kTrustMarkRecordFile)) + "{cut");
    CHECK(pruneTrustMarkRecord(marks, exp + kTrustMarkRecordRetention + 1).value() == 2);  // and the cut line
    auto later = TrustMarkRecord::open(marks, exp + kTrustMarkRecordRetention + 1);
    REQUIRE_MESSAGE(later, later.error().describe());
    CHECK_FALSE((*later)->contains(*unknown));
    CHECK((*later)->contains(jwt));
    CHECK((*later)->size() == 2);
}

TEST_CASE("the record of marks issued: a line cut by a crash does not swallow the next one")
{
    TempDir dir;
    const fs::path marks = dir.path() / "marks";
    fs::create_directories(marks);
    KeyStore keys = keysIn(dir.path() / "keys");
    auto mark = [&](const char *subject) {
        auto jwt = issueTrustMark(TrustMarkClaims{.issuer = id("https://tmi.example"),
                                                  .subject = id(subject),
                                                  .trustMarkType = kType,
                                                  .issuedAt = kNow,
                                                  .expiresAt = kNow + 600},
                                  keys.activeKey());
        REQUIRE(jwt);
        return *jwt;
    };
    const std::string first = mark("https://op.example");
    const std::string second = mark("https://rp.example");
    REQUIRE(recordIssuedTrustMark(marks, first));
    // The append of a further record was cut mid-line (no newline at the end).
    const fs::path file = marks / std::string(kTrustMarkRecordFile);
    writeText(file, readText(file) + "{\"sha256\":\"0123");
    REQUIRE(recordIssuedTrustMark(marks, second));
    auto record = TrustMarkRecord::open(marks, kNow);  // prunes the cut line
    REQUIRE_MESSAGE(record, record.error().describe());
    CHECK((*record)->contains(first));
    CHECK((*record)->contains(second));
    CHECK((*record)->size() == 2);
    const std::string text = readText(file);
    CHECK(std::count(text.begin(), text.end(), '\n') == 2);
    CHECK(text.find("0123") == std::string::npos);
}

TEST_CASE("TrustMarkIssuer: a delegation signed for a hosted owner, or refused")
{
    TempDir dir;
    marksWith(dir.path(), "\"delegated_by\": \"https://owner.example\", ");
    KeyStore keys = keysIn(dir.path() / "keys");
    KeyStore ownerKeys = keysIn(dir.path() / "owner");
    // The owner is not hosted: refused.
    CHECK_FALSE(TrustMarkIssuer::create(id("https://tmi.example"), settingsFor(dir.path() / "marks"), keys,
                                        load(dir.path() / "marks"), {}, kNow, {}));
    auto ownerKey = [&](const std::string &owner) -> std::optional<Jwk> {
        if (owner == "https://owner.example")
            return ownerKeys.activeKey();
        return std::nullopt;
    };
    auto issuer = TrustMarkIssuer::create(id("https://tmi.example"), settingsFor(dir.path() / "marks"), keys,
                                          load(dir.path() / "marks"), ownerKey, kNow, {});
    REQUIRE_MESSAGE(issuer, issuer.error().describe());
    auto mark = (*issuer)->mark(kType, "https://op.example", kNow);
    REQUIRE(mark);
    auto decoded = decodeTrustMark((*mark)->body);
    REQUIRE(decoded);
    REQUIRE_FALSE(decoded->delegation.empty());

    // Verified as a relying party would, with the owner in the anchor's
    // trust_mark_owners.
    TrustMarkAnchor anchor{.entityId = id("https://ta.example")};
    anchor.trustMarkOwners = Json::object();
    Json owner = Json::object();
    owner.set("sub", "https://owner.example");
    owner.set("jwks", ownerKeys.publishedKeys(kNow).toJson());
    anchor.trustMarkOwners.set(kType, owner);
    TrustMarkContext context{.anchor = anchor, .now = kNow};
    context.issuerKeys = [&](const EntityId &) -> Result<JwkSet> { return keys.publishedKeys(kNow); };
    auto verified = verifyTrustMark((*mark)->body, id("https://op.example"), context);
    REQUIRE_MESSAGE(verified, verified.error().describe());
    CHECK(verified->expiresAt == kNow + 86400);

    // A delegation file naming another issuer is refused at creation.
    TrustMarkDelegationClaims claims{.owner = id("https://owner.example"),
                                     .issuer = id("https://someone-else.example"),
                                     .trustMarkType = kType,
                                     .issuedAt = kNow};
    auto foreign = issueTrustMarkDelegation(claims, ownerKeys.activeKey());
    REQUIRE(foreign);
    writeText(dir.path() / "marks" / "d.jwt", *foreign);
    marksWith(dir.path(), "\"delegation_file\": \"d.jwt\", ");
    CHECK_FALSE(TrustMarkIssuer::create(id("https://tmi.example"), settingsFor(dir.path() / "marks"), keys,
                                        load(dir.path() / "marks"), {}, kNow, {}));
}

TEST_CASE("TrustMarkIssuer: a type file's typ types its marks, and the status endpoint reads them")
{
    TempDir dir;
    marksWith(dir.path(), "\"typ\": \"example-framework-mark+jwt\", ");
    auto catalog = load(dir.path() / "marks");
    CHECK(catalog->find(kType)->typ == "example-framework-mark+jwt");
    KeyStore keys = keysIn(dir.path() / "keys");
    auto issuer = TrustMarkIssuer::create(id("https://tmi.example"), settingsFor(dir.path() / "marks"), keys, catalog, {},
                                          kNow, {});
    REQUIRE_MESSAGE(issuer, issuer.error().describe());
    auto mark = (*issuer)->mark(kType, "https://op.example", kNow);
    REQUIRE(mark);
    auto jws = Jws::parse((*mark)->body);
    REQUIRE(jws);
    CHECK(jws->typ() == "example-framework-mark+jwt");
    CHECK((*issuer)->status((*mark)->body, kNow).value() == TrustMarkStatus::Active);
    // A mark of this type typed trust-mark+jwt is not one this issuer makes.
    auto generic = issueTrustMark({.issuer = id("https://tmi.example"), .subject = id("https://op.example"),
                                   .trustMarkType = kType, .issuedAt = kNow},
                                  keys.activeKey());
    REQUIRE(generic);
    CHECK((*issuer)->status(*generic, kNow).value() == TrustMarkStatus::Invalid);

    marksWith(dir.path(), "\"typ\": \"with space\", ");
    auto refused = TrustMarkCatalog::loadDirectory(dir.path() / "marks");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().claim == "typ");
}
