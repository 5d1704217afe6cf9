// Returning freed heap to the system. glibc's malloc keeps freed memory for reuse, and after a
// large transient (a list's pages, a burst of writes) the pages it keeps are resident although
// nothing uses them: a settled controller would report the peak of its last relist as its size.
#pragma once

namespace imps {

// Gives whole free pages of the heap back to the system (malloc_trim). Walks the heap once, so
// callers use it after large transients, not per event.
void release_free_memory();

}  // namespace imps
