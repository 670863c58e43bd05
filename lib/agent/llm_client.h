// An OpenAI-compatible chat-completions client (OpenRouter by default): one request, reasoning
// requested, the answer's content plus any reasoning text and `reasoning_details` kept for the trace.
#pragma once

#include <cstdint>
#include <string>

#include "contract/config_model.h"  // Json
#include "platform/http_client.h"
#include "platform/result.h"

namespace payops {

inline constexpr const char* kDefaultLlmEndpoint = "https://openrouter.ai/api/v1";
inline constexpr const char* kDefaultLlmModel = "nvidia/nemotron-3-nano-30b-a3b:free";

struct LlmSettings {
  std::string endpoint = kDefaultLlmEndpoint;  // base URL; "/chat/completions" is appended
  std::string model = kDefaultLlmModel;
  std::string api_key;                         // sent as a Bearer token when not empty
  std::int64_t timeout_ms = 20000;
};

struct LlmReply {
  std::string content;        // the assistant message's text
  std::string reasoning;      // message.reasoning, when the provider returns it
  Json reasoning_details = Json::array();  // message.reasoning_details, verbatim
  Json usage = Json::object();
};

// Why a call did not produce an answer; the agent falls back to the rules for each of these.
enum class LlmFailure { timeout, transport, rate_limited, http_error, malformed };
std::string_view to_string(LlmFailure f);

struct LlmError {
  LlmFailure kind;
  std::string message;  // one sentence with the status or cause
};

// The request body: model, the two messages, `reasoning: {enabled: true}`, temperature 0.
Json build_chat_request(const LlmSettings& settings, const std::string& system_prompt,
                        const std::string& user_prompt);

// Parses a chat-completions response body. Errors are malformed with what was missing.
Result<LlmReply> parse_chat_response(const std::string& body);

// Sends the request. On failure, `failure` (when not null) says which kind.
Result<LlmReply> chat(HttpClient& http, const LlmSettings& settings, const std::string& system_prompt,
                      const std::string& user_prompt, LlmFailure* failure);

// The first JSON object inside model text: tolerates ```json fences and prose around it.
Result<Json> extract_json_object(const std::string& text);

}  // namespace payops
