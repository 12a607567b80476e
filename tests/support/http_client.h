#pragma once
// A small blocking HTTP client (libcurl) for the integration tests.

#include <string>

#include "model/status.h"

namespace meridian::testing {

struct HttpResponse {
  long code = 0;
  std::string body;
};

// GET `url`; any answer the server gives (the status code is in the response).
StatusOr<HttpResponse> HttpRequest(const std::string& url, const std::string& form_body = "",
                                   bool post = false, int timeout_ms = 60000);

// GET `url`; the body of a 200 answer, an error otherwise.
StatusOr<std::string> HttpGet(const std::string& url, int timeout_ms = 60000);

// Polls `url` until it answers 200 or `timeout_ms` passes.
Status WaitForHttpOk(const std::string& url, int timeout_ms = 60000);

}  // namespace meridian::testing
