// kubeconfig loading in one file: the libyaml tree builder is private to it (nothing else in
// imps reads YAML), and the mapping and load order share the same error-message conventions.
#include "kube/kubeconfig.h"

#include <yaml.h>

#include <cerrno>
#include <map>
#include <vector>

#include "base/bytes.h"
#include "base/file.h"
#include "kube/in_cluster.h"

namespace imps::kube {
namespace {

// Kubeconfigs hold a few dozen nodes; a huge node count means a hostile or generated file, and
// each node costs ~100 bytes, so this bounds memory to a few MiB.
constexpr size_t kMaxYamlNodes = 50'000;
// Certificates, keys and CA bundles referenced by path: a bundle of many certificates fits.
constexpr size_t kMaxReferencedFileBytes = 1 << 20;

// ---- YAML to a small generic tree -------------------------------------------------------------

struct Member;

struct Node {
  enum class Kind { Scalar, Sequence, Mapping };
  Kind kind = Kind::Scalar;
  std::string scalar;
  bool plain = false;  // an unquoted scalar: may be a boolean or null
  std::vector<Node> items;
  std::vector<Member> members;  // std::vector allows an incomplete element type; std::pair does not
};

struct Member {
  std::string key;
  Node value;
};

class YamlParser {
 public:
  explicit YamlParser(std::string_view text) {
    ok_ = yaml_parser_initialize(&parser_) != 0;
    if (ok_) yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }
  ~YamlParser() { yaml_parser_delete(&parser_); }
  YamlParser(const YamlParser&) = delete;
  YamlParser& operator=(const YamlParser&) = delete;
  bool ok() const { return ok_; }
  yaml_parser_t* get() { return &parser_; }

 private:
  yaml_parser_t parser_{};
  bool ok_ = false;
};

class YamlEvent {
 public:
  YamlEvent() = default;
  ~YamlEvent() { clear(); }
  YamlEvent(const YamlEvent&) = delete;
  YamlEvent& operator=(const YamlEvent&) = delete;
  void clear() {
    if (live_) yaml_event_delete(&event_);
    live_ = false;
  }
  yaml_event_t* reset() {
    clear();
    return &event_;
  }
  void set_live() { live_ = true; }
  const yaml_event_t& operator*() const { return event_; }

 private:
  yaml_event_t event_{};
  bool live_ = false;
};

class TreeBuilder {
 public:
  explicit TreeBuilder(std::string_view text) : parser_(text) {}

  Result<Node> build() {
    if (!parser_.ok()) return make_error(ErrorKind::Fatal, "cannot initialise the YAML parser");
    YamlEvent event;
    TRY(next(event));  // STREAM_START
    TRY(next(event));
    if ((*event).type == YAML_STREAM_END_EVENT) return Node{Node::Kind::Mapping, {}, false, {}, {}};
    TRY(next(event));  // the first document's root; later documents are ignored
    return value(event, 0);
  }

 private:
  Status next(YamlEvent& event) {
    if (!yaml_parser_parse(parser_.get(), event.reset())) {
      const yaml_parser_t* p = parser_.get();
      return make_error(ErrorKind::Invalid, "malformed YAML at line " + std::to_string(p->problem_mark.line + 1) +
                                                ": " + (p->problem ? p->problem : "parse error"));
    }
    event.set_live();
    return {};
  }

  Result<Node> value(YamlEvent& event, int depth) {
    if (++nodes_ > kMaxYamlNodes) return make_error(ErrorKind::TooLarge, "YAML has too many nodes");
    if (depth > kMaxKubeconfigDepth) return make_error(ErrorKind::TooLarge, "YAML nested too deeply");
    const yaml_event_t& e = *event;
    const int line = int(e.start_mark.line) + 1;
    Node node;
    switch (e.type) {
      case YAML_SCALAR_EVENT:
        node.scalar.assign(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
        node.plain = e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        return node;
      case YAML_SEQUENCE_START_EVENT:
        node.kind = Node::Kind::Sequence;
        for (;;) {
          TRY(next(event));
          if ((*event).type == YAML_SEQUENCE_END_EVENT) return node;
          TRY_ASSIGN(Node item, value(event, depth + 1));
          node.items.push_back(std::move(item));
        }
      case YAML_MAPPING_START_EVENT:
        node.kind = Node::Kind::Mapping;
        for (;;) {
          TRY(next(event));
          if ((*event).type == YAML_MAPPING_END_EVENT) return node;
          TRY_ASSIGN(Node key, value(event, depth + 1));
          if (key.kind != Node::Kind::Scalar)
            return make_error(ErrorKind::Invalid, "non-scalar mapping key at line " + std::to_string(line));
          TRY(next(event));
          TRY_ASSIGN(Node item, value(event, depth + 1));
          node.members.push_back({std::move(key.scalar), std::move(item)});
        }
      case YAML_ALIAS_EVENT:
        // Aliases are how "billion laughs" documents multiply; kubeconfigs never need them.
        return make_error(ErrorKind::Invalid, "YAML aliases are not supported (line " + std::to_string(line) + ")");
      default:
        return make_error(ErrorKind::Invalid, "unexpected YAML structure at line " + std::to_string(line));
    }
  }

  YamlParser parser_;
  size_t nodes_ = 0;
};

// ---- Reading fields ---------------------------------------------------------------------------

const Node* member(const Node* map, std::string_view key) {
  if (!map || map->kind != Node::Kind::Mapping) return nullptr;
  for (const auto& m : map->members)
    if (m.key == key) return &m.value;
  return nullptr;
}

bool is_null(const Node& n) {
  return n.kind == Node::Kind::Scalar && n.plain && (n.scalar.empty() || n.scalar == "~" || n.scalar == "null");
}

// Absent or null → "". `where` prefixes the error ("kubeconfig F: cluster \"c\"").
Result<std::string> string_field(const Node* map, std::string_view key, const std::string& where) {
  const Node* n = member(map, key);
  if (!n || is_null(*n)) return std::string();
  if (n->kind != Node::Kind::Scalar) return make_error(ErrorKind::Invalid, where + ": " + std::string(key) + " must be a string");
  return n->scalar;
}

Result<bool> bool_field(const Node* map, std::string_view key, const std::string& where) {
  const Node* n = member(map, key);
  if (!n || is_null(*n)) return false;
  if (n->kind == Node::Kind::Scalar && n->plain) {
    if (n->scalar == "true" || n->scalar == "True" || n->scalar == "TRUE") return true;
    if (n->scalar == "false" || n->scalar == "False" || n->scalar == "FALSE") return false;
  }
  return make_error(ErrorKind::Invalid, where + ": " + std::string(key) + " must be true or false");
}

// ---- Merging files ----------------------------------------------------------------------------

struct Entry {
  const Node* body = nullptr;  // the cluster/context/user mapping; may be null (empty entry)
  std::string file;            // the kubeconfig that defined it: messages and relative paths
};

struct Merged {
  std::vector<Node> roots;  // owns the trees the entries point into
  std::map<std::string, Entry, std::less<>> clusters, contexts, users;
  std::string current_context;
};

Status collect(const Node& root, const std::string& file, const char* list, const char* inner,
               std::map<std::string, Entry, std::less<>>& into) {
  const Node* seq = member(&root, list);
  if (!seq || is_null(*seq)) return {};
  const std::string where = "kubeconfig " + file + ": " + list;
  if (seq->kind != Node::Kind::Sequence) return make_error(ErrorKind::Invalid, where + " must be a list");
  for (size_t i = 0; i < seq->items.size(); ++i) {
    const std::string item_where = where + "[" + std::to_string(i) + "]";
    TRY_ASSIGN(std::string name, string_field(&seq->items[i], "name", item_where));
    if (name.empty()) return make_error(ErrorKind::Invalid, item_where + " has no name");
    into.emplace(std::move(name), Entry{member(&seq->items[i], inner), file});  // first one wins
  }
  return {};
}

Status merge(const KubeconfigFile& file, Merged& merged) {
  if (file.text.size() > kMaxKubeconfigBytes)
    return make_error(ErrorKind::TooLarge, "kubeconfig " + file.path + ": larger than " +
                                               std::to_string(kMaxKubeconfigBytes) + " bytes");
  auto tree = TreeBuilder(file.text).build();
  if (!tree.ok()) return std::move(tree).error().context("kubeconfig " + file.path);
  const Node& root = merged.roots.emplace_back(std::move(tree).value());
  if (root.kind != Node::Kind::Mapping && !is_null(root))
    return make_error(ErrorKind::Invalid, "kubeconfig " + file.path + ": not a YAML mapping");
  TRY(collect(root, file.path, "clusters", "cluster", merged.clusters));
  TRY(collect(root, file.path, "contexts", "context", merged.contexts));
  TRY(collect(root, file.path, "users", "user", merged.users));
  if (merged.current_context.empty()) {
    TRY_ASSIGN(merged.current_context, string_field(&root, "current-context", "kubeconfig " + file.path));
  }
  return {};
}

std::string resolve_path(const std::string& kubeconfig, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  const size_t slash = kubeconfig.rfind('/');
  return slash == std::string::npos ? path : kubeconfig.substr(0, slash + 1) + path;
}

// One of `<key>-data` (base64 of PEM) or `<key>` (a file), read to PEM text; "" when neither.
Result<std::string> pem_field(const Entry& entry, const std::string& key, const std::string& where) {
  TRY_ASSIGN(std::string data, string_field(entry.body, key + "-data", where));
  TRY_ASSIGN(std::string path, string_field(entry.body, key, where));
  if (!data.empty() && !path.empty())
    return make_error(ErrorKind::Invalid, where + ": both " + key + "-data and " + key + " are set");
  if (!data.empty()) {
    std::string compact;  // Go's decoder skips line breaks; so do we
    for (char c : data)
      if (c != '\n' && c != '\r') compact += c;
    auto pem = base64_decode(compact);
    if (!pem.ok()) return make_error(ErrorKind::Invalid, where + ": " + key + "-data is not valid base64");
    return std::move(pem).value();
  }
  if (path.empty()) return std::string();
  auto text = read_local_file(resolve_path(entry.file, path), kMaxReferencedFileBytes);
  if (!text.ok()) return std::move(text).error().context(where + ": " + key);
  return std::move(text).value();
}

Status apply_cluster(const Entry& entry, const std::string& where, ClusterConfig& config) {
  TRY_ASSIGN(std::string server, string_field(entry.body, "server", where));
  if (server.empty()) return make_error(ErrorKind::Invalid, where + ": no server");
  auto url = http::parse_url(server);
  if (!url.ok()) return std::move(url).error().context(where + ": server");
  config.server = std::move(url).value();
  TRY_ASSIGN(config.tls.ca_pem, pem_field(entry, "certificate-authority", where));
  TRY_ASSIGN(config.tls.server_name, string_field(entry.body, "tls-server-name", where));
  TRY_ASSIGN(config.tls.insecure_skip_verify, bool_field(entry.body, "insecure-skip-tls-verify", where));
  if (config.tls.insecure_skip_verify && !config.tls.ca_pem.empty())
    return make_error(ErrorKind::Invalid, where + ": insecure-skip-tls-verify cannot be combined with a certificate-authority");
  config.tls.use_system_cas = config.tls.ca_pem.empty() && !config.tls.insecure_skip_verify;
  TRY_ASSIGN(config.proxy_url, string_field(entry.body, "proxy-url", where));
  if (!config.proxy_url.empty() && !http::parse_url(config.proxy_url).ok())
    return make_error(ErrorKind::Invalid, where + ": proxy-url must be an http or https URL (socks5 is not supported)");
  return {};
}

Status apply_user(const Entry& entry, const std::string& where, ClusterConfig& config) {
  for (const char* plugin : {"exec", "auth-provider"}) {
    const Node* n = member(entry.body, plugin);
    if (n && !is_null(*n))
      return make_error(ErrorKind::Invalid, where + ": " + plugin + " credential plugins are not supported");
  }
  for (const char* basic : {"username", "password"}) {
    if (member(entry.body, basic)) return make_error(ErrorKind::Invalid, where + ": basic authentication is not supported");
  }
  TRY_ASSIGN(config.tls.client_cert_pem, pem_field(entry, "client-certificate", where));
  TRY_ASSIGN(config.tls.client_key_pem, pem_field(entry, "client-key", where));
  if (config.tls.client_cert_pem.empty() != config.tls.client_key_pem.empty())
    return make_error(ErrorKind::Invalid, where + ": a client certificate needs both client-certificate and client-key");
  TRY_ASSIGN(config.token, string_field(entry.body, "token", where));
  TRY_ASSIGN(std::string token_file, string_field(entry.body, "tokenFile", where));
  config.token_file = resolve_path(entry.file, token_file);
  return {};
}

std::string file_list(std::span<const KubeconfigFile> files) {
  std::string out;
  for (const auto& f : files) out += (out.empty() ? "" : ":") + f.path;
  return out;
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

Result<ClusterConfig> parse_kubeconfig(std::span<const KubeconfigFile> files, std::string_view context) {
  Merged merged;
  merged.roots.reserve(files.size());  // entries point into the roots: no reallocation
  for (const auto& file : files) TRY(merge(file, merged));

  const std::string all = "kubeconfig " + file_list(files);
  const std::string context_name(context.empty() ? merged.current_context : context);
  if (context_name.empty()) return make_error(ErrorKind::Invalid, all + ": no current-context set and no --context given");
  const auto ctx = merged.contexts.find(context_name);
  if (ctx == merged.contexts.end()) return make_error(ErrorKind::Invalid, all + ": context " + quoted(context_name) + " not found");
  const std::string ctx_where = "kubeconfig " + ctx->second.file + ": context " + quoted(context_name);

  TRY_ASSIGN(std::string cluster_name, string_field(ctx->second.body, "cluster", ctx_where));
  if (cluster_name.empty()) return make_error(ErrorKind::Invalid, ctx_where + ": no cluster");
  const auto cluster = merged.clusters.find(cluster_name);
  if (cluster == merged.clusters.end())
    return make_error(ErrorKind::Invalid, ctx_where + ": cluster " + quoted(cluster_name) + " not found in " + all);

  ClusterConfig config;
  config.source = "kubeconfig " + ctx->second.file + " context " + context_name;
  TRY(apply_cluster(cluster->second, "kubeconfig " + cluster->second.file + ": cluster " + quoted(cluster_name), config));

  TRY_ASSIGN(std::string user_name, string_field(ctx->second.body, "user", ctx_where));
  if (!user_name.empty()) {
    const auto user = merged.users.find(user_name);
    if (user == merged.users.end())
      return make_error(ErrorKind::Invalid, ctx_where + ": user " + quoted(user_name) + " not found in " + all);
    TRY(apply_user(user->second, "kubeconfig " + user->second.file + ": user " + quoted(user_name), config));
  }
  TRY_ASSIGN(config.namespace_, string_field(ctx->second.body, "namespace", ctx_where));
  return config;
}

Result<ClusterConfig> load_cluster_config(const LoadOptions& options) {
  std::vector<KubeconfigFile> files;
  const auto read = [&](const std::string& path, bool skip_missing) -> Status {
    auto text = read_local_file(path, kMaxKubeconfigBytes);
    if (!text.ok() && skip_missing && text.error().code == ENOENT) return {};
    if (!text.ok()) return std::move(text).error().context("kubeconfig");
    files.push_back({path, std::move(text).value()});
    return {};
  };

  if (!options.kubeconfig_flag.empty()) {
    TRY(read(options.kubeconfig_flag, false));
    return parse_kubeconfig(files, options.context_flag);
  }

  const std::string env_list = options.env("KUBECONFIG").value_or("");
  if (!env_list.empty()) {
    // client-go skips listed files that do not exist; an entirely missing list is an error.
    size_t start = 0;
    while (start <= env_list.size()) {
      size_t end = env_list.find(':', start);
      if (end == std::string::npos) end = env_list.size();
      const std::string path = env_list.substr(start, end - start);
      bool seen = false;
      for (const auto& f : files) seen = seen || f.path == path;
      if (!path.empty() && !seen) TRY(read(path, true));
      start = end + 1;
    }
    if (files.empty()) return make_error(ErrorKind::Invalid, "kubeconfig: none of the files in $KUBECONFIG (" + env_list + ") exist");
    return parse_kubeconfig(files, options.context_flag);
  }

  if (in_cluster_env_present(options.env)) return load_in_cluster(options.env, options.in_cluster_root);

  const std::string home = options.home_dir.empty() ? options.env("HOME").value_or("") : options.home_dir;
  const std::string path = home + "/.kube/config";
  if (home.empty()) return make_error(ErrorKind::Invalid, "no cluster configuration: no --kubeconfig, $KUBECONFIG, in-cluster environment or $HOME");
  TRY(read(path, true));
  if (files.empty())
    return make_error(ErrorKind::Invalid, "no cluster configuration: no --kubeconfig, $KUBECONFIG or in-cluster environment, and " + path + " does not exist");
  return parse_kubeconfig(files, options.context_flag);
}

}  // namespace imps::kube
