// Moved: the temporary workspace of every test is TempWorkspace in support/temp_workspace.h. The
// old name stays only so that test files written on other branches before the move still build.
#pragma once

#include "support/temp_workspace.h"

namespace dlt::testing {
using CliWorkspace = TempWorkspace;
}  // namespace dlt::testing
