// oidfed subordinate block ENTITY_ID --dir DIR --reason TEXT [--dry-run]
// oidfed subordinate unblock ENTITY_ID --dir DIR [--dry-run]
//
// Stops (and resumes) serving statements about a subordinate without
// losing anything its file says: `block` adds the member
// "blocked": {"reason", "since"} (docs/subordinates.md); after a reload the
// fetch endpoint answers 404 for it and the list endpoint leaves it out,
// while its keys, metadata, policy and constraints stay in the file for
// `unblock`, which removes only that member. Exit codes: 0 done (or already
// so); 1 the file would not load; 2 usage (unknown entity, missing
// directory, no reason).

#include <ctime>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "subordinate_support.h"

namespace oidfed::cli {

namespace {

struct BlockArgs {
    DirArgs dir;
    std::string reason;
    bool block = true;
};

int runBlock(const BlockArgs &args, Format format)
{
    if (args.block && args.reason.empty())
        return failWith(Error(ErrorCode::InvalidArgument, "--reason is required: say why it is blocked"), format,
                        kExitUsage);
    auto listed = findSubordinate(args.dir.dir, args.dir.entityId, idOptionsOf(args.dir));
    if (!listed)
        return failWith(listed.error(), format, kExitUsage);

    Json next = listed->json;
    const bool change = args.block ? !listed->record.blocked || listed->record.blocked->reason != args.reason
                                   : listed->record.blocked.has_value();
    if (change) {
        if (args.block) {
            Json blocked = Json::object();
            blocked.set("reason", args.reason);
            blocked.set("since", static_cast<std::int64_t>(std::time(nullptr)));
            next.set("blocked", std::move(blocked));
        } else {
            next.erase("blocked");
        }
        if (std::optional<int> failed = writeChecked(*listed, next, args.dir, format))
            return *failed;
    }
    const bool written = change && !args.dir.dryRun;
    if (format == Format::Json) {
        Json out = Json::object();
        out.set("entity_id", listed->record.entityId.str());
        out.set("file", listed->path.string());
        out.set("blocked", args.block);
        out.set("changed", change);
        out.set("written", written);
        out.set("dry_run", args.dir.dryRun);
        if (written)
            out.set("reload", kReloadNote);
        printJson(out);
        return kExitOk;
    }
    if (!change) {
        std::cout << "unchanged: " << listed->record.entityId.str() << " is already "
                  << (args.block ? "blocked for that reason" : "not blocked") << "\n";
        return kExitOk;
    }
    std::cout << (args.dir.dryRun ? "dry run: would " : "") << (args.block ? "blocked: " : "unblocked: ")
              << listed->record.entityId.str() << " (" << listed->path.string() << ")\n";
    if (written)
        printReloadNote();
    return kExitOk;
}

} // namespace

void addSubordinateBlockCommands(CLI::App &group, CommandContext &ctx)
{
    auto block = std::make_shared<BlockArgs>();
    auto *blockCmd = group.add_subcommand(
        "block", "Stop serving statements about a subordinate (fetch 404, not listed); its file keeps everything");
    addDirOptions(*blockCmd, block->dir, true);
    blockCmd->add_option("--reason", block->reason, "Why it is blocked (recorded in its file)")->required();
    blockCmd->add_flag("--dry-run", block->dir.dryRun, "Check the change, write nothing");
    blockCmd->callback([block, &ctx] { ctx.exitCode = runBlock(*block, ctx.global.resolved()); });

    auto unblock = std::make_shared<BlockArgs>();
    unblock->block = false;
    auto *unblockCmd = group.add_subcommand("unblock", "Serve statements about a blocked subordinate again");
    addDirOptions(*unblockCmd, unblock->dir, true);
    unblockCmd->add_flag("--dry-run", unblock->dir.dryRun, "Check the change, write nothing");
    unblockCmd->callback([unblock, &ctx] { ctx.exitCode = runBlock(*unblock, ctx.global.resolved()); });
}

} // namespace oidfed::cli
