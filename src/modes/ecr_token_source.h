// The EcrTokenSource both modes use: aws-ecr-login-config sources turned into credential sets,
// whose tokens a TokenCache (aws/token_cache.h) fetches, shares and refreshes, and the record of
// which users (ImagePullSecret names, or the refresher's target) rely on which set, so that a
// token change re-renders exactly those users.
// A user is recorded by asking for tokens inside its UserScope; opening a new scope for a user
// first forgets what it used before, so a source removed from a resource stops notifying it.
// create() wires the real AWS stack (environment, AWS_CA_BUNDLE, proxy); tests pass a fetcher.
// Tokens, keys and secrets never reach logs or errors (set ids name key ids and regions only).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "aws/token_cache.h"
#include "base/random.h"
#include "imps/source_secret.h"
#include "loop/event_loop.h"
#include "obs/metrics.h"

namespace imps::modes {

aws::CredentialSet credential_set(const EcrSourceConfig& config);

class EcrTokens : public EcrTokenSource {
 public:
  // The real AWS stack. Errors: AWS_CA_BUNDLE unreadable or not PEM.
  static Result<std::unique_ptr<EcrTokens>> create(loop::EventLoop& loop, Random& random, obs::Registry& metrics);
  // `fetcher` must outlive this.
  EcrTokens(loop::EventLoop& loop, aws::TokenFetcher& fetcher, Random& random, obs::Registry& metrics,
            aws::TokenCacheOptions options = {});
  ~EcrTokens() override;

  Result<EcrToken> token_for(const EcrSourceConfig& config) override;
  // Starts fetching the tokens the ECR sources among `secrets` need, recorded as `user`'s (null
  // entries and other types are skipped). True while any of those first tokens is still being
  // fetched: rendering now would write a Secret without it, and its arrival notifies `user`.
  bool first_tokens_pending(const std::string& user, const std::vector<const SourceSecret*>& secrets);

  // Called with each user of a set whose token changed (see aws/token_cache.h for when).
  void on_change(std::function<void(const std::string& user)> handler) { on_change_ = std::move(handler); }

  class UserScope {
   public:
    explicit UserScope(EcrTokens& tokens) : tokens_(&tokens) {}
    UserScope(const UserScope&) = delete;
    UserScope& operator=(const UserScope&) = delete;
    ~UserScope() { tokens_->current_user_.clear(); }

   private:
    EcrTokens* tokens_;
  };
  // Until the scope ends, token_for() records its sets as `user`'s (one scope at a time).
  [[nodiscard]] UserScope user_scope(const std::string& user);
  void forget_user(const std::string& user);

 private:
  struct AwsStack;
  EcrTokens(loop::EventLoop& loop, std::unique_ptr<AwsStack> stack, Random& random, obs::Registry& metrics);
  void wire_cache();
  void changed(const std::string& set_id);
  void record(const std::string& user, const std::string& set_id);

  std::unique_ptr<AwsStack> stack_;  // declared first: outlives the cache that calls into it
  aws::TokenCache cache_;
  std::function<void(const std::string&)> on_change_;
  std::string current_user_;
  std::map<std::string, std::set<std::string>> users_by_set_;
  std::map<std::string, std::set<std::string>> sets_by_user_;
};

}  // namespace imps::modes
