#include "base/memory.h"

#include <malloc.h>

namespace imps {

void release_free_memory() { malloc_trim(0); }

}  // namespace imps
