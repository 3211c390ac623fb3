// SubordinateSet: an immutable, indexed snapshot of a subordinate directory.
// Loading is all or nothing; lookups and listings never touch the file
// system and never derive a path from a request (threat K04).

#include "entity/subordinate.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <utility>

#include "core/file_read.h"
#include "core/unique_fd.h"
#include "entity/parallel_for.h"
#include "entity/subordinate_defaults.h"

namespace oidfed::entity {

namespace {

// Files one thread reads and parses before it takes the next block.
constexpr std::size_t kFilesPerBlock = 64;

// The file's bytes, refusing anything larger than the cap without reading
// past it. The buffer is sized from the file (plus one byte to notice a
// larger file) and grows only if the file does, so a small file costs a
// small buffer: a directory of 100,000 files must neither zero 100,000 MiB
// nor churn the heap with a stream buffer per file.
Result<std::string> readBounded(const std::filesystem::path &path, const std::string &name)
{
    // O_NONBLOCK: a FIFO put in the file's place after the directory was
    // listed fails the read instead of hanging the load.
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!fd.valid())
        return fail(ErrorCode::InvalidArgument, name + ": cannot read the file");
    struct stat info {};
    const bool sized = ::fstat(fd.get(), &info) == 0 && S_ISREG(info.st_mode);
    int error = 0;
    std::optional<std::string> data = readUpTo(
        fd.get(), sized ? std::min<std::size_t>(static_cast<std::size_t>(info.st_size), kMaxSubordinateFileBytes) + 1 : 4096,
        kMaxSubordinateFileBytes, error);
    if (!data)
        return fail(ErrorCode::InvalidArgument, name + ": cannot read the file");
    if (data->size() > kMaxSubordinateFileBytes)
        return fail(ErrorCode::LimitExceeded,
                    name + ": larger than " + std::to_string(kMaxSubordinateFileBytes) + " bytes");
    return std::move(*data);
}

// One subordinate file, read and parsed; errors start with its name.
Result<Subordinate> parseFile(const std::filesystem::path &dir, const std::string &name, const JsonLimits &limits,
                              const EntityIdOptions &idOptions)
{
    OIDFED_TRY(std::string text, readBounded(dir / name, name));
    auto json = parseJson(text, limits);
    if (!json) {
        Error error = std::move(json).error();
        error.message = name + ": " + error.message;
        return fail(std::move(error));
    }
    return parseSubordinate(*json, name, idOptions);
}

std::string describeSource(const Subordinate &subordinate)
{
    return subordinate.sourceFile.empty() ? std::string("(unnamed)") : subordinate.sourceFile;
}

// The `*.json` file names of `dir`, sorted (see loadDirectory()).
Result<std::vector<std::string>> subordinateFileNames(const std::filesystem::path &dir, std::size_t maxFiles)
{
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        return fail(ErrorCode::InvalidArgument, "subordinate directory " + dir.string() + " does not exist or is not a directory");

    std::vector<std::string> names;
    std::filesystem::directory_iterator it(dir, ec);
    if (ec)
        return fail(ErrorCode::InvalidArgument, "cannot list subordinate directory " + dir.string() + ": " + ec.message());
    for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (name.starts_with(".") || !name.ends_with(".json") || name == kSubordinateDefaultsFile)
            continue;
        std::error_code typeError;
        if (!it->is_regular_file(typeError))
            continue;  // subdirectories, dangling links, sockets...
        if (names.size() == maxFiles)
            return fail(ErrorCode::LimitExceeded, "subordinate directory " + dir.string() + " holds more than " +
                                                      std::to_string(maxFiles) + " *.json files");
        names.push_back(std::move(name));
    }
    if (ec)
        return fail(ErrorCode::InvalidArgument, "cannot list subordinate directory " + dir.string() + ": " + ec.message());
    std::sort(names.begin(), names.end());
    return names;
}

JsonLimits fileLimits()
{
    JsonLimits limits;
    limits.maxBytes = kMaxSubordinateFileBytes;
    return limits;
}

} // namespace

// A defaults file that does not load fails the whole load (loadDirectory,
// loadEachFile): serving statements without the policy the authority means
// for all of them would be worse than serving none.
Result<std::optional<SubordinateDefaults>> SubordinateSet::loadDefaults(const std::filesystem::path &dir)
{
    const std::string name(kSubordinateDefaultsFile);
    std::error_code ec;
    if (!std::filesystem::exists(dir / name, ec))
        return std::optional<SubordinateDefaults>();
    OIDFED_TRY(std::string text, readBounded(dir / name, name));
    auto json = parseJson(text, fileLimits());
    if (!json)
        return fail(ErrorCode::InvalidArgument, name + ": " + json.error().message);
    OIDFED_TRY(SubordinateDefaults defaults, parseSubordinateDefaults(*json, name));
    return std::optional<SubordinateDefaults>(std::move(defaults));
}

namespace {

// Every file of `names`, read, checked and merged with the defaults.
// Reading and checking the files (a JSON parse and a key import each) is
// independent per file: spread over the cores.
std::vector<std::optional<Result<Subordinate>>> parseFiles(const std::filesystem::path &dir,
                                                           const std::vector<std::string> &names,
                                                           const EntityIdOptions &idOptions,
                                                           const std::optional<SubordinateDefaults> &defaults)
{
    const JsonLimits limits = fileLimits();
    std::vector<std::optional<Result<Subordinate>>> parsed(names.size());
    parallelFor(names.size(), kFilesPerBlock, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
            parsed[i] = parseFile(dir, names[i], limits, idOptions);
            if (defaults && *parsed[i])
                parsed[i] = applySubordinateDefaults(std::move(*parsed[i]).value(), *defaults);
        }
    });
    return parsed;
}

} // namespace

Result<std::shared_ptr<const SubordinateSet>> SubordinateSet::loadDirectory(const std::filesystem::path &dir,
                                                                            const EntityIdOptions &idOptions,
                                                                            std::size_t maxFiles)
{
    OIDFED_TRY(std::vector<std::string> names, subordinateFileNames(dir, maxFiles));
    OIDFED_TRY(std::optional<SubordinateDefaults> defaults, loadDefaults(dir));
    // Errors are reported for the first bad file in name order, as a
    // sequential load would.
    std::vector<std::optional<Result<Subordinate>>> parsed = parseFiles(dir, names, idOptions, defaults);
    std::vector<Subordinate> subordinates;
    subordinates.reserve(names.size());
    for (std::optional<Result<Subordinate>> &subordinate : parsed) {
        if (!*subordinate)
            return fail(std::move(*subordinate).error());
        subordinates.push_back(std::move(*subordinate).value());
    }
    parsed.clear();
    return fromSubordinates(std::move(subordinates));
}

Result<SubordinateLoad> SubordinateSet::loadEachFile(const std::filesystem::path &dir, const EntityIdOptions &idOptions,
                                                     const SubordinateSet *previous, std::size_t maxFiles)
{
    OIDFED_TRY(std::vector<std::string> names, subordinateFileNames(dir, maxFiles));
    OIDFED_TRY(std::optional<SubordinateDefaults> defaults, loadDefaults(dir));
    std::vector<std::optional<Result<Subordinate>>> parsed = parseFiles(dir, names, idOptions, defaults);
    SubordinateLoad load;
    std::vector<Subordinate> subordinates;
    subordinates.reserve(names.size());
    std::set<std::string, std::less<>> ids;
    for (std::size_t i = 0; i < names.size(); ++i) {
        Result<Subordinate> &subordinate = *parsed[i];
        std::optional<Subordinate> kept;
        if (subordinate && ids.contains(subordinate->entityId.str())) {
            subordinate = fail(Error(ErrorCode::InvalidArgument,
                                     names[i] + ": entity " + subordinate->entityId.str() +
                                         " is listed twice; the file first by name is used")
                                   .withEntity(subordinate->entityId.str()));
        }
        if (subordinate) {
            ids.insert(subordinate->entityId.str());
            subordinates.push_back(std::move(subordinate).value());
            continue;
        }
        SubordinateProblem problem{.file = names[i], .error = std::move(subordinate).error()};
        const Subordinate *before = previous ? previous->findBySourceFile(names[i]) : nullptr;
        if (before && !ids.contains(before->entityId.str())) {
            problem.entityId = before->entityId.str();
            problem.keptPrevious = true;
            ids.insert(before->entityId.str());
            subordinates.push_back(*before);
        } else {
            problem.entityId = problem.error.entityId;
        }
        load.problems.push_back(std::move(problem));
    }
    parsed.clear();
    OIDFED_TRY(load.set, fromSubordinates(std::move(subordinates)));
    return load;
}

Result<std::shared_ptr<const SubordinateSet>> SubordinateSet::fromSubordinates(std::vector<Subordinate> subordinates)
{
    // Records built by hand may break the "sorted, unique" promise; restore it.
    for (Subordinate &subordinate : subordinates) {
        std::sort(subordinate.entityTypes.begin(), subordinate.entityTypes.end());
        subordinate.entityTypes.erase(std::unique(subordinate.entityTypes.begin(), subordinate.entityTypes.end()),
                                      subordinate.entityTypes.end());
    }
    std::stable_sort(subordinates.begin(), subordinates.end(),
                     [](const Subordinate &a, const Subordinate &b) { return a.entityId.str() < b.entityId.str(); });
    for (std::size_t i = 1; i < subordinates.size(); ++i)
        if (subordinates[i].entityId.str() == subordinates[i - 1].entityId.str())
            return fail(Error(ErrorCode::InvalidArgument,
                              "entity " + subordinates[i].entityId.str() + " is listed twice: in " +
                                  describeSource(subordinates[i - 1]) + " and in " + describeSource(subordinates[i]))
                            .withEntity(subordinates[i].entityId.str()));

    auto set = std::make_shared<SubordinateSet>();
    auto firstBlocked = std::stable_partition(subordinates.begin(), subordinates.end(),
                                              [](const Subordinate &subordinate) { return !subordinate.blocked; });
    set->blocked_.assign(std::make_move_iterator(firstBlocked), std::make_move_iterator(subordinates.end()));
    subordinates.erase(firstBlocked, subordinates.end());
    set->ids_.reserve(subordinates.size());
    for (std::size_t i = 0; i < subordinates.size(); ++i) {
        set->ids_.push_back(subordinates[i].entityId.str());
        for (const std::string &type : subordinates[i].entityTypes)
            set->byType_[type].push_back(i);
    }
    set->subordinates_ = std::move(subordinates);
    return std::shared_ptr<const SubordinateSet>(std::move(set));
}

const Subordinate *SubordinateSet::findBySourceFile(std::string_view file) const
{
    for (const std::vector<Subordinate> *records : {&subordinates_, &blocked_})
        for (const Subordinate &subordinate : *records)
            if (subordinate.sourceFile == file)
                return &subordinate;
    return nullptr;
}

const Subordinate *SubordinateSet::findBlocked(std::string_view entityId) const
{
    auto it = std::lower_bound(blocked_.begin(), blocked_.end(), entityId,
                               [](const Subordinate &subordinate, std::string_view wanted) {
                                   return subordinate.entityId.str() < wanted;
                               });
    return it != blocked_.end() && it->entityId.str() == entityId ? &*it : nullptr;
}

const Subordinate *SubordinateSet::find(std::string_view entityId) const
{
    auto it = std::lower_bound(ids_.begin(), ids_.end(), entityId,
                               [](const std::string &id, std::string_view wanted) { return id < wanted; });
    if (it == ids_.end() || *it != entityId)
        return nullptr;
    return &subordinates_[static_cast<std::size_t>(it - ids_.begin())];
}

std::vector<std::string> SubordinateSet::list(const SubordinateFilter &filter) const
{
    auto matchesIntermediate = [&](const Subordinate &subordinate) {
        return !filter.intermediate || subordinate.intermediate == *filter.intermediate;
    };
    if (filter.entityTypes.empty()) {
        if (!filter.intermediate)
            return ids_;
        std::vector<std::string> out;
        for (std::size_t i = 0; i < subordinates_.size(); ++i)
            if (matchesIntermediate(subordinates_[i]))
                out.push_back(ids_[i]);
        return out;
    }

    // Walk the rarest requested type; the others are checked per candidate.
    const std::vector<std::size_t> *rarest = nullptr;
    for (const std::string &type : filter.entityTypes) {
        auto it = byType_.find(type);
        if (it == byType_.end())
            return {};
        if (!rarest || it->second.size() < rarest->size())
            rarest = &it->second;
    }
    std::vector<std::string> out;
    for (std::size_t index : *rarest) {
        const Subordinate &subordinate = subordinates_[index];
        if (!matchesIntermediate(subordinate))
            continue;
        bool all = std::all_of(filter.entityTypes.begin(), filter.entityTypes.end(), [&](const std::string &type) {
            return std::binary_search(subordinate.entityTypes.begin(), subordinate.entityTypes.end(), type);
        });
        if (all)
            out.push_back(ids_[index]);
    }
    return out;
}

} // namespace oidfed::entity
