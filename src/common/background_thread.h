// Work done beside a Python generator (normalizing and loading its rows while it still makes
// them) runs at a lower priority, so that the generator's thread, which the whole run waits for,
// keeps its core whenever more threads are ready than there are cores.
#pragma once

namespace dlt {

// Lowers the calling thread's scheduling priority (Linux: nice +10 for this thread only).
// Nothing happens where that is not possible.
void RunAsBackgroundThread();

}  // namespace dlt
