// The LLM reasoner: the same observations and the same five tools as the rules, asked of a model over
// an OpenAI-compatible API. The model's answer is never trusted: every action must parse against the
// schema and pass the same guardrails (check_action, applied in sequence on a scratch config) and the
// operator cooldown. One bad action rejects the whole answer, and the cycle falls back to the rules'
// decision, with the reason recorded. Log text reaches the model only inside JSON strings, labelled
// as untrusted data.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "platform/http_client.h"
#include "agent/llm_client.h"
#include "agent/observation.h"
#include "agent/rules_reasoner.h"

namespace payops {

// An error_message seen in the window, with its bank, for the model to read as data.
struct LogSample {
  std::string bank_id;
  std::string error_code;
  std::string message;
};

struct LlmOutcome {
  Decision decision;          // what to apply: the model's actions, or the rules' on fallback
  bool used_llm = false;      // false: fell back to the rules
  std::string fallback_why;   // one sentence when used_llm is false
  Json trace = Json::object();  // request summary, raw content, reasoning, reasoning_details, rejections
};

std::string llm_system_prompt();
// The user message: the observations, the banks' current state, recent history and log samples,
// all as one JSON document.
std::string llm_user_prompt(const Config& config, const Observation& obs, const std::vector<LogSample>& samples);

// Validates the model's content against the schema and the guardrails, on a copy of config. Returns
// the actions in order, or an error naming the first problem.
Result<std::vector<Action>> vet_llm_answer(const std::string& content, const Config& config, TimeMs now_ms,
                                           const RulesOptions& rules);

// Asks the model; on any failure (transport, timeout, 429, 5xx, malformed, guardrail) returns the
// rules' decision with fallback_why set.
LlmOutcome decide_llm(HttpClient& http, const LlmSettings& settings, const Config& config, const Observation& obs,
                      const std::vector<LogSample>& samples, const Decision& rules_decision,
                      const RulesOptions& rules);

// Distinct error messages per bank from the end of the log (at most per_bank each), sanitised.
std::vector<LogSample> sample_log_messages(const std::string& csv_path, TimeMs since_ms, std::size_t per_bank);

}  // namespace payops
