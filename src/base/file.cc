#include "base/file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/fd.h"

namespace imps {
namespace {

Error io_error(const char* what, const std::string& path) {
  const int err = errno;
  return make_error(ErrorKind::Invalid, std::string(what) + " " + path + ": " + std::strerror(err), err);
}

}  // namespace

Result<std::string> read_local_file(const std::string& path, size_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return io_error("cannot open", path);
  std::string out;
  char buf[16 << 10];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("cannot read", path);
    if (n == 0) return out;
    if (out.size() + size_t(n) > max_bytes)
      return make_error(ErrorKind::TooLarge, path + " is larger than " + std::to_string(max_bytes) + " bytes");
    out.append(buf, size_t(n));
  }
}

}  // namespace imps
