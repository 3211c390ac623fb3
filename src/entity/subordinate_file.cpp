#include "entity/subordinate_file.h"

#include <algorithm>
#include <system_error>

#include <oidfed/error_json.h>

#include "core/file_read.h"
#include "core/file_write.h"
#include "entity/subordinate_defaults.h"

namespace oidfed::entity {

bool isSettableSubordinateMember(std::string_view member) noexcept
{
    return std::find(kSettableSubordinateMembers.begin(), kSettableSubordinateMembers.end(), member) !=
           kSettableSubordinateMembers.end();
}

Result<ListedSubordinate> findSubordinate(const std::filesystem::path &dir, std::string_view entityId,
                                          const EntityIdOptions &idOptions)
{
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        return fail(ErrorCode::InvalidArgument, "the subordinate directory " + dir.string() + " is not an existing directory");
    OIDFED_TRY(SubordinateLoad load, SubordinateSet::loadEachFile(dir, idOptions, nullptr));
    const Subordinate *found = load.set->find(entityId);
    if (!found)
        found = load.set->findBlocked(entityId);
    if (!found) {
        std::string message = std::string(entityId) + " is not listed in " + dir.string();
        for (const SubordinateProblem &problem : load.problems)
            if (problem.entityId.empty() || problem.entityId == entityId)
                message += "; " + problem.file + " does not load: " + problem.error.message;
        return fail(Error(ErrorCode::NotFound, std::move(message)).withEntity(std::string(entityId)));
    }
    ListedSubordinate listed{.path = dir / found->sourceFile, .record = *found, .json = Json(), .bytes = {}};
    OIDFED_TRY(listed.bytes, readRegularFile(listed.path, kMaxSubordinateFileBytes));
    OIDFED_TRY(listed.json, parseJson(listed.bytes));
    return listed;
}

Result<Subordinate> checkSubordinateFile(const Json &next, const std::filesystem::path &path,
                                         const EntityIdOptions &idOptions)
{
    OIDFED_TRY(Subordinate checked, parseSubordinate(next, path.filename().string(), idOptions));
    OIDFED_TRY(std::optional<SubordinateDefaults> defaults, SubordinateSet::loadDefaults(path.parent_path()));
    if (defaults)
        return applySubordinateDefaults(std::move(checked), *defaults);
    return checked;
}

std::string subordinateFileText(const Json &json)
{
    return json.dump(true) + "\n";
}

Result<void> writeSubordinateFile(const std::filesystem::path &path, const Json &json, bool create)
{
    const std::string content = subordinateFileText(json);
    return create ? writeFileExclusive(path, content, 0644) : replaceFileAtomically(path, content, 0644);
}

Json subordinateProblemsJson(const std::vector<SubordinateProblem> &problems)
{
    Json out = Json::array();
    for (const SubordinateProblem &problem : problems) {
        Json entry = Json::object();
        entry.set("file", problem.file);
        entry.set("entity_id", problem.entityId.empty() ? Json() : Json(problem.entityId));
        entry.set("error", errorToJson(problem.error));
        out.push(std::move(entry));
    }
    return out;
}

} // namespace oidfed::entity
