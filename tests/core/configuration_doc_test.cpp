// docs/configuration.md lists every field of every options struct
// (ANCHORS 2.9). This test reads the public headers from the source tree,
// extracts the data members of each options struct, and fails naming any
// field that the struct's section of the page does not mention as `field`.
// It also fails when a public *Options / *Limits struct is missing from the
// table below, so a new struct cannot escape the page.
//
// The member parser handles what option structs are: aggregates with one
// member per declaration (`Type name = default;`, `Type name{default};`,
// `Type name;`). It skips comments, methods, constructors, nested types,
// using/static/friend declarations and access specifiers. A member that
// shares a declaration with another (`int a, b;`) is not supported.
#include <doctest/doctest.h>

#include <cctype>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct DocumentedStruct {
    const char *header;  // relative to the source root
    const char *name;
};

// Every options struct of the library. Add a row when a struct is added.
constexpr DocumentedStruct kStructs[] = {
    {"include/oidfed/resolver_options.h", "ResolverOptions"},
    {"include/oidfed/resolver_options.h", "TrustMarkVerificationOptions"},
    {"include/oidfed/fetch_options.h", "FetchOptions"},
    {"include/oidfed/json.h", "JsonLimits"},
    {"include/oidfed/jws.h", "JwsLimits"},
    {"include/oidfed/jwk.h", "KeyLimits"},
    {"include/oidfed/entity_id.h", "EntityIdOptions"},
    {"include/oidfed/entity_statement.h", "StatementOptions"},
    {"include/oidfed/chain_validator.h", "ChainValidationOptions"},
    {"include/oidfed/registration_request.h", "RegistrationRequestOptions"},
    {"include/oidfed/registration_policy.h", "RegistrationPolicy"},
    {"include/oidfed/protocol_keys.h", "ProtocolKeyOptions"},
    {"include/oidfed/signed_jwks.h", "SignedJwksLimits"},
    {"include/oidfed/replay_store.h", "ReplayStoreOptions"},
    {"include/oidfed/automatic_registration.h", "AutomaticRegistrationOptions"},
    {"include/oidfed/cache_options.h", "MemoryCacheOptions"},
    {"include/oidfed/cache_options.h", "RedisCacheOptions"},
    {"include/oidfed/cache_options.h", "RedisSentinelOptions"},
    {"src/entity/key_store.h", "KeyStoreOptions"},
    {"src/server/server_options.h", "ServerOptions"},
    {"src/server/server_options.h", "ResolveEndpointOptions"},
    {"src/server/server_options.h", "LogOptions"},
};

constexpr const char *kDocPath = "docs/configuration.md";

fs::path sourceDir()
{
    const char *dir = std::getenv("OIDFED_SOURCE_DIR");
    REQUIRE_MESSAGE(dir != nullptr, "OIDFED_SOURCE_DIR is not set (tests/meson.build sets it)");
    return fs::path(dir);
}

std::string readFile(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "cannot read " << path.string());
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

bool isIdentChar(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// Comments become spaces (newlines kept); string and character literals
// become "" and '', so that neither a `//` in a default URL nor a brace in a
// string confuses the parser. A quote after a digit is a digit separator.
std::string stripCommentsAndLiterals(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        const char next = i + 1 < text.size() ? text[i + 1] : '\0';
        if (c == '/' && next == '/') {
            while (i < text.size() && text[i] != '\n')
                ++i;
            out += ' ';
        } else if (c == '/' && next == '*') {
            i += 2;
            while (i + 1 < text.size() && !(text[i] == '*' && text[i + 1] == '/')) {
                if (text[i] == '\n')
                    out += '\n';
                ++i;
            }
            i += 2;
            out += ' ';
        } else if (c == '"' || (c == '\'' && !(i > 0 && std::isdigit(static_cast<unsigned char>(text[i - 1])) != 0))) {
            ++i;
            while (i < text.size() && text[i] != c) {
                if (text[i] == '\\')
                    ++i;
                ++i;
            }
            ++i;
            out += c;
            out += c;
        } else {
            out += c;
            ++i;
        }
    }
    return out;
}

std::string collapseWhitespace(std::string_view s)
{
    std::string out;
    bool space = false;
    for (char c : s) {
        if (std::isspace(static_cast<unsigned char>(c)) != 0) {
            space = !out.empty();
            continue;
        }
        if (space)
            out += ' ';
        space = false;
        out += c;
    }
    return out;
}

// The body between the braces of `struct name {...}` or `class name ... {...}`
// in comment-free text; nullopt when there is no definition (a forward
// declaration does not count).
std::optional<std::string> findStructBody(const std::string &text, std::string_view name)
{
    for (std::string_view keyword : {"struct", "class"}) {
        std::size_t pos = 0;
        while ((pos = text.find(keyword, pos)) != std::string::npos) {
            const std::size_t start = pos;
            pos += keyword.size();
            if (start > 0 && isIdentChar(text[start - 1]))
                continue;
            std::size_t p = pos;
            while (p < text.size() && std::isspace(static_cast<unsigned char>(text[p])) != 0)
                ++p;
            if (p == pos || text.compare(p, name.size(), name) != 0)
                continue;
            p += name.size();
            if (p < text.size() && isIdentChar(text[p]))
                continue;
            const std::size_t open = text.find_first_of("{;", p);
            if (open == std::string::npos || text[open] == ';')
                continue;
            int depth = 0;
            for (std::size_t q = open; q < text.size(); ++q) {
                if (text[q] == '{')
                    ++depth;
                else if (text[q] == '}' && --depth == 0)
                    return text.substr(open + 1, q - open - 1);
            }
            return std::nullopt;
        }
    }
    return std::nullopt;
}

bool startsWithWord(std::string_view s, std::string_view word)
{
    return s.substr(0, word.size()) == word && (s.size() == word.size() || !isIdentChar(s[word.size()]));
}

// A block opened at member level is a function body (a '(' before any '=')
// or a nested type; a brace after a declarator is an initializer.
bool opensDefinition(const std::string &declarationSoFar)
{
    const std::string s = collapseWhitespace(declarationSoFar);
    for (std::string_view word : {"struct", "class", "enum", "union", "namespace"})
        if (startsWithWord(s, word))
            return true;
    const std::size_t eq = s.find('=');
    const std::size_t paren = s.find('(');
    return paren != std::string::npos && (eq == std::string::npos || paren < eq);
}

std::string removeBalanced(std::string_view s, char open, char close)
{
    std::string out;
    int depth = 0;
    for (char c : s) {
        if (c == open)
            ++depth;
        else if (c == close && depth > 0)
            --depth;
        else if (depth == 0)
            out += c;
    }
    return out;
}

// The member name declared by one member-level declaration, or nullopt when
// it declares no data member.
std::optional<std::string> memberName(std::string declaration)
{
    std::string s = collapseWhitespace(declaration);
    for (bool stripped = true; stripped;) {
        stripped = false;
        for (std::string_view access : {"public", "private", "protected"}) {
            if (!startsWithWord(s, access))
                continue;
            std::size_t p = access.size();
            while (p < s.size() && s[p] == ' ')
                ++p;
            if (p < s.size() && s[p] == ':' && (p + 1 >= s.size() || s[p + 1] != ':')) {
                s = collapseWhitespace(s.substr(p + 1));
                stripped = true;
            }
        }
    }
    if (s.empty())
        return std::nullopt;
    for (std::string_view word : {"struct", "class", "enum", "union", "using", "typedef", "friend", "static_assert",
                                  "template", "static", "constexpr", "inline", "virtual", "explicit", "operator",
                                  "namespace"})
        if (startsWithWord(s, word))
            return std::nullopt;
    const std::size_t end = s.find_first_of("={");
    const std::string declarator = removeBalanced(removeBalanced(s.substr(0, end), '<', '>'), '[', ']');
    if (declarator.find('(') != std::string::npos || declarator.find('~') != std::string::npos)
        return std::nullopt;
    std::size_t last = declarator.size();
    while (last > 0 && !isIdentChar(declarator[last - 1]))
        --last;
    std::size_t first = last;
    while (first > 0 && isIdentChar(declarator[first - 1]))
        --first;
    if (first == last || first == 0 || std::isdigit(static_cast<unsigned char>(declarator[first])) != 0)
        return std::nullopt;  // no identifier, or only a type with no name
    return declarator.substr(first, last - first);
}

// Data-member names of a struct body (comment-free), in declaration order.
std::vector<std::string> memberNames(const std::string &body)
{
    std::vector<std::string> names;
    std::string current;
    int braces = 0;
    int parens = 0;
    bool inDefinition = false;
    auto finish = [&] {
        if (!inDefinition)
            if (auto name = memberName(current))
                names.push_back(*name);
        current.clear();
        inDefinition = false;
    };
    for (char c : body) {
        if (c == '{') {
            if (braces == 0 && parens == 0 && opensDefinition(current))
                inDefinition = true;
            ++braces;
        } else if (c == '}') {
            --braces;
        } else if (c == '(') {
            ++parens;
        } else if (c == ')') {
            --parens;
        }
        current += c;
        if (braces == 0 && parens == 0 && (c == ';' || (c == '}' && inDefinition)))
            finish();
    }
    finish();
    return names;
}

// The lines of `doc` under the first heading that mentions `name` (in
// backquotes), up to the next heading of the same or a higher level.
std::optional<std::string> docSection(const std::string &doc, const std::string &name)
{
    const std::string needle = "`" + name + "`";
    std::istringstream in(doc);
    std::string line;
    std::string section;
    std::size_t level = 0;
    while (std::getline(in, line)) {
        const std::size_t hashes = line.find_first_not_of('#');
        const bool heading = hashes != 0 && hashes != std::string::npos && line[hashes] == ' ';
        if (level == 0) {
            if (heading && line.find(needle) != std::string::npos)
                level = hashes;
            continue;
        }
        if (heading && hashes <= level)
            break;
        section += line;
        section += '\n';
    }
    if (level == 0)
        return std::nullopt;
    return section;
}

} // namespace

TEST_CASE("the member parser finds data members only")
{
    const std::string header = stripCommentsAndLiterals(R"cpp(
        struct Sample; // a forward declaration comes first
        /// struct Sample { int commentedOut = 1; };
        struct Sample {
            /// int fakeInComment = 2;
            std::size_t count = 8;  ///< trailing comment; int alsoFake;
            std::chrono::milliseconds deadline{10'000};
            std::size_t bytes = std::size_t{128} << 20;
            std::string url = "redis://127.0.0.1:6379"; // "//" in a literal
            char brace = '{';
            std::vector<std::map<int, std::string>> nested{};
            const Registry *registry = nullptr;
            int raw[4];
            bool flag;
            Sample() = default;
            explicit Sample(int) {}
            int method() const { return count > 0 ? 1 : 0; }
            static constexpr int kConstant = 3;
            using Alias = int;
            struct Inner { int innerField = 0; };
            enum class Mode { A, B };
          public:
            std::string last;
        };
    )cpp");
    const auto body = findStructBody(header, "Sample");
    REQUIRE(body.has_value());
    CHECK(memberNames(*body) == std::vector<std::string>{"count", "deadline", "bytes", "url", "brace", "nested",
                                                         "registry", "raw", "flag", "last"});
    CHECK_FALSE(findStructBody(header, "Sampl").has_value());
    CHECK_FALSE(findStructBody(header, "Missing").has_value());
}

TEST_CASE("docs/configuration.md documents every field of every options struct")
{
    const fs::path root = sourceDir();
    const std::string doc = readFile(root / kDocPath);

    // doctest prints a const char * as a pointer: messages use std::string.
    const std::string docName = kDocPath;
    for (const DocumentedStruct &s : kStructs) {
        const std::string header = s.header;
        const std::string name = s.name;
        const auto body = findStructBody(stripCommentsAndLiterals(readFile(root / header)), name);
        REQUIRE_MESSAGE(body.has_value(), "struct " << name << " not found in " << header);
        const std::vector<std::string> fields = memberNames(*body);
        REQUIRE_MESSAGE(!fields.empty(), "no field parsed from struct " << name << " in " << header);

        const auto section = docSection(doc, name);
        REQUIRE_MESSAGE(section.has_value(), docName << " has no heading naming `" << name << "`");
        for (const std::string &field : fields)
            CHECK_MESSAGE(section->find("`" + field + "`") != std::string::npos,
                          docName << ": the `" << name << "` section does not mention `" << field << "` (a field of "
                                  << name << " in " << header << ")");
    }
}

TEST_CASE("every public options struct is in the documented list")
{
    const fs::path include = sourceDir() / "include" / "oidfed";
    std::size_t headers = 0;
    for (const auto &entry : fs::directory_iterator(include)) {
        if (entry.path().extension() != ".h")
            continue;
        ++headers;
        const std::string text = stripCommentsAndLiterals(readFile(entry.path()));
        // Every "struct|class XxxOptions|XxxLimits" followed by a body.
        for (std::string_view keyword : {"struct ", "class "}) {
            for (std::size_t pos = text.find(keyword); pos != std::string::npos;
                 pos = text.find(keyword, pos + keyword.size())) {
                if (pos > 0 && isIdentChar(text[pos - 1]))
                    continue;
                std::size_t end = pos + keyword.size();
                while (end < text.size() && isIdentChar(text[end]))
                    ++end;
                const std::string name = text.substr(pos + keyword.size(), end - pos - keyword.size());
                const auto endsWith = [&](std::string_view suffix) {
                    return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(),
                                                                        suffix) == 0;
                };
                if (!(endsWith("Options") || endsWith("Limits")) || !findStructBody(text, name))
                    continue;
                bool listed = false;
                for (const DocumentedStruct &s : kStructs)
                    listed = listed || name == s.name;
                CHECK_MESSAGE(listed, "struct " << name << " (" << entry.path().filename().string()
                                                << ") is not in kStructs of configuration_doc_test.cpp");
            }
        }
    }
    CHECK(headers > 0);
}
