// entityFileStem: a readable file name for a file about one entity (a
// subordinate file, a registered client), made from its Entity Identifier.
#pragma once

#include <string>

#include <oidfed/entity_id.h>

namespace oidfed {

/// host[_port][_path] with every byte outside [A-Za-z0-9.-] replaced by '_':
/// never a path separator, never a hidden name, never "." or "..". At most
/// 200 bytes: a longer one is shortened and made unique with a hash of the
/// identifier. Different identifiers may share a stem (https and http, '/'
/// and '_'): a caller that must tell them apart adds a digest of the
/// identifier or checks the file's contents.
std::string entityFileStem(const EntityId &id);

} // namespace oidfed
