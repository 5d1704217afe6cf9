// AWS credentials as a value. Whoever prints, logs or puts them in an error uses describe(), which
// shows the access key id (an identifier, not a secret) and never the secret key or session token.
#pragma once

#include <cstdint>
#include <string>

namespace imps::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;       // empty for long-term keys
  int64_t expires_at_unix_ms = 0;  // 0 = never (long-term keys)

  bool temporary() const { return !session_token.empty(); }
};

// "access key AKID..., session token: yes, expires 2024-05-01T12:00:00Z"
std::string describe(const Credentials& credentials);

}  // namespace imps::aws
