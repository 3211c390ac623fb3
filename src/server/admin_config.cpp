// The "admin" member of the configuration file (server_config_members.h):
// its table, read into ServerOptions::admin, and validateAdminSettings().

#include "server/admin_settings.h"

#include "server/bearer_token.h"
#include "server/server_config_members.h"

namespace oidfed::server {

std::string_view adminRoleName(AdminRole role) noexcept
{
    return role == AdminRole::Write ? "write" : "read";
}

Result<void> validateAdminSettings(const AdminSettings &settings)
{
    if (settings.maxBodyBytes < 1024 || settings.maxBodyBytes > (std::size_t{1} << 20))
        return fail(Error(ErrorCode::InvalidArgument, "maxBodyBytes: must be 1024..1048576").withClaim("maxBodyBytes"));
    return ok();
}

namespace config {

namespace {

const Table<AdminOperator> &operatorTable()
{
    using O = AdminOperator;
    static const Table<O> table = {
        required(custom<O>("name", "", ConfigValueKind::String,
                           [](const Json &, const std::string &, Context &, O &) { return ok(); })),  // by make
        required(custom<O>("token_sha256", "", ConfigValueKind::String,
                           [](const Json &value, const std::string &path, Context &, O &op) -> Result<void> {
                               OIDFED_TRY(op.tokenSha256, parseTokenSha256(value, path));
                               return ok();
                           })),
        required(custom<O>("role", "", ConfigValueKind::String,
                           [](const Json &value, const std::string &path, Context &, O &op) -> Result<void> {
                               OIDFED_TRY(std::string role, nonEmptyString(value, path));
                               if (role != "read" && role != "write")
                                   return fail(ErrorCode::InvalidArgument, path + ": must be \"read\" or \"write\"");
                               op.role = role == "write" ? AdminRole::Write : AdminRole::Read;
                               return ok();
                           })),
    };
    return table;
}

const Table<AdminSettings> &adminTable()
{
    using A = AdminSettings;
    static const Table<A> table = {
        required(custom<A>("listen", "", ConfigValueKind::String,
                           [](const Json &value, const std::string &path, Context &, A &admin) -> Result<void> {
                               OIDFED_TRY(ListenAddress address, parseListenAddress(value, path));
                               admin.listenHost = std::move(address.host);
                               admin.listenPort = address.port;
                               return ok();
                           })),
        required(objectArray<A, AdminOperator>(
            "operators", operatorTable(), true,
            [](const Json &object, const std::string &where, Context &) -> Result<AdminOperator> {
                const std::string path = memberPath(where, "name");
                const Json *name = object.find("name");
                if (!name)
                    return fail(Error(ErrorCode::InvalidArgument, path + " is required").withClaim(path));
                OIDFED_TRY(std::string text, nonEmptyString(*name, path));
                return AdminOperator{.name = std::move(text)};
            },
            [](A &admin, AdminOperator &&op, const std::string &where, Context &) -> Result<void> {
                for (const AdminOperator &seen : admin.operators) {
                    if (seen.name == op.name)
                        return fail(Error(ErrorCode::InvalidArgument,
                                          where + ".name: the operator " + op.name + " is listed twice")
                                        .withClaim(where + ".name"));
                    if (seen.tokenSha256 == op.tokenSha256)
                        return fail(Error(ErrorCode::InvalidArgument,
                                          where + ".token_sha256: the operators " + seen.name + " and " + op.name +
                                              " share a token")
                                        .withClaim(where + ".token_sha256"));
                }
                admin.operators.push_back(std::move(op));
                return ok();
            })),
        required(filePath("audit_log", "", &A::auditLog)),
        number("max_body_bytes", "maxBodyBytes", &A::maxBodyBytes),
    };
    return table;
}

} // namespace

Member<ServerConfig> adminSection()
{
    Member<ServerConfig> member = section<ServerConfig>(
        "admin", "admin", adminTable(),
        [](ServerConfig &config) -> AdminSettings & { return config.options.admin.emplace(); });
    member.read = [read = member.read](const Json &value, const std::string &path, Context &context,
                                       ServerConfig &config) -> Result<void> {
        OIDFED_TRY_VOID(read(value, path, context, config));
        Result<void> checked = validateAdminSettings(*config.options.admin);
        if (!checked && checked.error().claim == "maxBodyBytes") {
            Error error = std::move(checked).error();
            error.claim = path + ".max_body_bytes";
            error.message = error.claim + error.message.substr(std::string_view("maxBodyBytes").size());
            return fail(std::move(error));
        }
        return checked;
    };
    return member;
}

} // namespace config

} // namespace oidfed::server
