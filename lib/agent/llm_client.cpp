// OpenAI-compatible chat completions over the HttpClient seam.
#include "agent/llm_client.h"

#include <fmt/format.h>

#include "contract/csv_format.h"

namespace payops {

std::string_view to_string(LlmFailure f) {
  switch (f) {
    case LlmFailure::timeout: return "timeout";
    case LlmFailure::transport: return "transport";
    case LlmFailure::rate_limited: return "rate_limited";
    case LlmFailure::http_error: return "http_error";
    case LlmFailure::malformed: return "malformed";
  }
  return "?";
}

Json build_chat_request(const LlmSettings& settings, const std::string& system_prompt,
                        const std::string& user_prompt) {
  return Json{{"model", settings.model},
              {"messages", Json::array({Json{{"role", "system"}, {"content", system_prompt}},
                                        Json{{"role", "user"}, {"content", user_prompt}}})},
              {"reasoning", Json{{"enabled", true}}},
              {"temperature", 0}};
}

Result<LlmReply> parse_chat_response(const std::string& body) {
  const Json doc = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return make_error("the response is not a JSON object");
  if (!doc.contains("choices") || !doc["choices"].is_array() || doc["choices"].empty())
    return make_error("the response has no choices");
  const Json& choice = doc["choices"][0];
  if (!choice.is_object() || !choice.contains("message") || !choice["message"].is_object())
    return make_error("choices[0] has no message");
  const Json& message = choice["message"];
  LlmReply reply;
  if (message.contains("content") && message["content"].is_string()) reply.content = message["content"].get<std::string>();
  if (message.contains("reasoning") && message["reasoning"].is_string()) reply.reasoning = message["reasoning"].get<std::string>();
  if (message.contains("reasoning_details") && message["reasoning_details"].is_array())
    reply.reasoning_details = message["reasoning_details"];
  if (doc.contains("usage") && doc["usage"].is_object()) reply.usage = doc["usage"];
  if (reply.content.empty()) return make_error("choices[0].message.content is empty");
  return reply;
}

Result<LlmReply> chat(HttpClient& http, const LlmSettings& settings, const std::string& system_prompt,
                      const std::string& user_prompt, LlmFailure* failure) {
  const auto fail = [&](LlmFailure kind, std::string message) -> Result<LlmReply> {
    if (failure != nullptr) *failure = kind;
    return make_error(std::move(message));
  };
  HttpRequest request;
  std::string base = settings.endpoint;
  while (!base.empty() && base.back() == '/') base.pop_back();
  request.url = base + "/chat/completions";
  request.headers = {"Content-Type: application/json"};
  if (!settings.api_key.empty()) request.headers.push_back("Authorization: Bearer " + settings.api_key);
  request.body = build_chat_request(settings, system_prompt, user_prompt).dump();
  request.timeout_ms = settings.timeout_ms;
  auto response = http.post(request);
  if (!response.ok()) {
    const bool timed_out = response.error().message.find("no answer") != std::string::npos;
    return fail(timed_out ? LlmFailure::timeout : LlmFailure::transport, response.error().message);
  }
  if (response->status == 429) {
    return fail(LlmFailure::rate_limited,
                fmt::format("rate limited by {} (HTTP 429{})", request.url,
                            response->retry_after.empty() ? ""
                                                          : ", retry after " + sanitize_text_field(response->retry_after, 64)));
  }
  if (response->status < 200 || response->status >= 300) {
    // The body is the server's text and ends up in agent_history and the --json trace: control bytes
    // become spaces, invalid UTF-8 (e.g. a multi-byte character cut at the limit) becomes U+FFFD, so
    // the JSON writer never throws on it.
    const std::string snippet = sanitize_text_field(response->body, 200);
    return fail(LlmFailure::http_error, fmt::format("HTTP {} from {}: {}", response->status, request.url, snippet));
  }
  auto reply = parse_chat_response(response->body);
  if (!reply.ok()) return fail(LlmFailure::malformed, "malformed answer: " + reply.error().message);
  return reply;
}

Result<Json> extract_json_object(const std::string& text) {
  // Try the whole text first, then the span from the first '{' to each later '}' (outermost wins).
  Json whole = Json::parse(text, nullptr, false);
  if (!whole.is_discarded() && whole.is_object()) return whole;
  const std::size_t open = text.find('{');
  if (open == std::string::npos) return make_error("the answer holds no JSON object");
  for (std::size_t close = text.rfind('}'); close != std::string::npos && close > open;
       close = close == 0 ? std::string::npos : text.rfind('}', close - 1)) {
    Json candidate = Json::parse(text.substr(open, close - open + 1), nullptr, false);
    if (!candidate.is_discarded() && candidate.is_object()) return candidate;
  }
  return make_error("the answer's JSON object does not parse");
}

}  // namespace payops
