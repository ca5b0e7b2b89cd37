// How the OpenMP loops share work. The machine is usually shared: with a static split, a
// parallel loop lasts as long as its slowest thread, and a thread the OS has parked for a
// time slice stalls the whole loop while the other core idles. Handing out chunks of about
// kGrain elements on demand lets whichever thread is running take the rest. Sums are kept per
// chunk and added in chunk order, so results do not depend on which thread took which chunk.
#pragma once

#include <algorithm>
#include <cstdint>

namespace rbn {

// Loops over fewer elements than this run on the calling thread (waking a worker costs more).
constexpr int64_t kParallelThreshold = 1 << 15;
// Elements per chunk handed to a thread: 64 KiB of floats per operand.
constexpr int64_t kGrain = 1 << 14;

// Iterations per chunk for a loop whose iterations each touch `rowLength` elements.
inline int64_t RowsPerChunk(int64_t rowLength) { return std::max<int64_t>(1, kGrain / std::max<int64_t>(1, rowLength)); }

}  // namespace rbn
