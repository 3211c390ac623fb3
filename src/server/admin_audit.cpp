#include "server/admin_audit.h"

#include <oidfed/json.h>

#include "core/file_write.h"
#include "core/time_text.h"

namespace oidfed::server {

Result<void> AdminAudit::record(const AuditEntry &entry, UnixTime now)
{
    Json line = Json::object();
    line.set("time", formatRfc3339(now));
    line.set("operator", entry.operatorName);
    line.set("action", entry.action);
    line.set("entity", entry.entity.empty() ? Json() : Json(entry.entity));
    line.set("target", entry.target.empty() ? Json() : Json(entry.target));
    line.set("file", entry.file.empty() ? Json() : Json(entry.file));
    line.set("before_sha256", entry.before.empty() ? Json() : Json(entry.before));
    line.set("after_sha256", entry.after.empty() ? Json() : Json(entry.after));
    line.set("result", entry.result);
    if (!entry.detail.empty())
        line.set("detail", entry.detail);
    std::lock_guard lock(mutex_);
    return appendToFile(file_, line.dump() + "\n", 0600);
}

} // namespace oidfed::server
