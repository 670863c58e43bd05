// The HTTP seam: one small interface for POSTing JSON, implemented with libcurl, so the LLM reasoner
// can be tested against a fake server on 127.0.0.1 or a scripted client without a network.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "platform/result.h"

namespace payops {

struct HttpResponse {
  long status = 0;           // HTTP status code
  std::string body;
  std::string retry_after;   // the Retry-After header, when the server sent one
};

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  std::int64_t timeout_ms = 20000;   // whole request, connect included
  // The response body is read up to this many bytes; a longer one fails the request (memory stays
  // bounded by it, whatever the server sends).
  std::size_t max_body_bytes = 4u << 20;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // A transport failure (refused, DNS, timeout) is an Error whose message says which; any HTTP
  // status, including 4xx/5xx, is a response.
  virtual Result<HttpResponse> post(const HttpRequest& request) = 0;
};

// libcurl-backed client. Never follows redirects to other hosts; verifies TLS; honours timeout_ms.
class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient();
  ~CurlHttpClient() override;
  Result<HttpResponse> post(const HttpRequest& request) override;
};

}  // namespace payops
