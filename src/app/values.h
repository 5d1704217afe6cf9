// Syntax of flag values: each parser takes the text after "--flag=" and returns the value or an
// Invalid error whose message says what was expected (the caller prefixes the flag name).
// Messages may quote the value: flags carry no secrets. Nothing here knows which flag is which.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "app/config.h"
#include "base/result.h"

namespace imps::app {

// Go's time.ParseDuration syntax restricted to whole milliseconds: "15s", "1m30s", "1.5s", "250ms",
// units ms, s, m, h; must be positive.
Result<int64_t> parse_duration_ms(std::string_view text);

// Decimal integer > 0 that fits in an int.
Result<int> parse_positive_int(std::string_view text);
// Decimal number > 0 ("20", "0.5"); no exponents, no inf/nan.
Result<double> parse_positive_number(std::string_view text);
// Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False.
Result<bool> parse_bool(std::string_view text);

// "<namespace>.<name>", split at the first dot (namespaces have none); namespace a DNS label,
// name a DNS subdomain.
Result<ObjectRef> parse_object_ref(std::string_view text);
// A DNS-1123 label (Kubernetes namespace names): [a-z0-9-], at most 63, alphanumeric at both ends.
bool valid_dns_label(std::string_view text);

// ":8080", "127.0.0.1:8080", "[::1]:8080", "localhost:0".
Result<ListenAddress> parse_listen_address(std::string_view text);

// `text` for an error message: at most 64 bytes, non-printable bytes as '?', in double quotes.
std::string quote_for_error(std::string_view text);

}  // namespace imps::app
