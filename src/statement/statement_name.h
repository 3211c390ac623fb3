// How messages name an Entity Statement: its kind, issuer and subject, so
// that an operator knows which document to look at ("the Entity
// Configuration of https://op.example", "the Subordinate Statement of
// https://ta.example about https://im.example").
#pragma once

#include <string>

#include <oidfed/entity_statement.h>

namespace oidfed::statement {

/// "the Entity Configuration of ISS" or "the Subordinate Statement of ISS
/// about SUB".
std::string statementName(const EntityStatement &statement);

} // namespace oidfed::statement
