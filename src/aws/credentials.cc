#include "aws/credentials.h"

#include "base/clock.h"

namespace imps::aws {

std::string describe(const Credentials& credentials) {
  std::string out = "access key " + credentials.access_key_id;
  out += credentials.temporary() ? ", session token: yes" : ", session token: no";
  out += credentials.expires_at_unix_ms == 0
             ? std::string(", no expiry")
             : ", expires " + format_rfc3339(credentials.expires_at_unix_ms / 1000);
  return out;
}

}  // namespace imps::aws
