#include <doctest/doctest.h>

#include "agent/llm_client.h"

using namespace payops;

namespace {

// Answers every POST with a canned result and remembers the request.
class ScriptedHttp final : public HttpClient {
 public:
  explicit ScriptedHttp(Result<HttpResponse> answer) : answer_(std::move(answer)) {}
  Result<HttpResponse> post(const HttpRequest& request) override {
    last = request;
    return answer_;
  }
  HttpRequest last;

 private:
  Result<HttpResponse> answer_;
};

HttpResponse ok_body(const std::string& body) { return HttpResponse{200, body, ""}; }

}  // namespace

TEST_CASE("a chat request asks for reasoning and carries the key as a bearer token") {
  LlmSettings s;
  s.endpoint = "http://127.0.0.1:9/v1/";
  s.api_key = "sk-test";
  ScriptedHttp http(ok_body(R"({"choices":[{"message":{"content":"{\"actions\":[]}",
      "reasoning":"thinking","reasoning_details":[{"type":"reasoning.text","text":"t"}]}}]})"));
  LlmFailure failure{};
  auto reply = chat(http, s, "sys", "user", &failure);
  REQUIRE(reply.ok());
  CHECK(http.last.url == "http://127.0.0.1:9/v1/chat/completions");
  CHECK(std::find(http.last.headers.begin(), http.last.headers.end(), "Authorization: Bearer sk-test") != http.last.headers.end());
  const Json body = Json::parse(http.last.body);
  CHECK(body["reasoning"]["enabled"] == true);
  CHECK(body["model"] == kDefaultLlmModel);
  CHECK(reply->reasoning == "thinking");
  CHECK(reply->reasoning_details[0]["type"] == "reasoning.text");
}

TEST_CASE("failures are classified so the agent can fall back") {
  LlmSettings s;
  LlmFailure failure{};
  {
    ScriptedHttp http(HttpResponse{429, "slow down", "7"});
    auto r = chat(http, s, "", "", &failure);
    REQUIRE_FALSE(r.ok());
    CHECK(failure == LlmFailure::rate_limited);
    CHECK(r.error().message.find("retry after 7") != std::string::npos);
  }
  {
    ScriptedHttp http(HttpResponse{500, "boom\n\x1b[2J", ""});
    auto r = chat(http, s, "", "", &failure);
    REQUIRE_FALSE(r.ok());
    CHECK(failure == LlmFailure::http_error);
    CHECK(r.error().message.find('\x1b') == std::string::npos);
  }
  {
    ScriptedHttp http(make_error("no answer from x within 10 ms"));
    CHECK_FALSE(chat(http, s, "", "", &failure).ok());
    CHECK(failure == LlmFailure::timeout);
  }
  {
    ScriptedHttp http(ok_body("not json"));
    CHECK_FALSE(chat(http, s, "", "", &failure).ok());
    CHECK(failure == LlmFailure::malformed);
  }
  {
    ScriptedHttp http(ok_body(R"({"choices":[]})"));
    CHECK_FALSE(chat(http, s, "", "", &failure).ok());
    CHECK(failure == LlmFailure::malformed);
  }
}

TEST_CASE("the JSON object is found inside fences and prose") {
  CHECK(extract_json_object(R"({"a":1})")->at("a") == 1);
  CHECK(extract_json_object("Sure!\n```json\n{\"actions\": [{\"tool\": \"x\"}]}\n```\nDone.")->at("actions").size() == 1);
  CHECK_FALSE(extract_json_object("no json here").ok());
  CHECK_FALSE(extract_json_object("{broken").ok());
}
