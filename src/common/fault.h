// Fault injection for crash tests: when the environment variable DLT_FAULT_KILL_AT names a
// point (e.g. "load_before_commit"), the process kills itself with SIGKILL when it gets there.
// The points are listed in README ("Crash safety"). DLT_FAULT_PAUSE_AT=<point>:<ms> sleeps there
// instead, each time (tests of work done beside a step). Costs one getenv per point.
#pragma once

namespace dlt {

void FaultPoint(const char* point);

}  // namespace dlt
