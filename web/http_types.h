#pragma once
// The request and response as handlers of the API see them, independent of the HTTP library.

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "web/form.h"

namespace meridian::web {

struct Request {
  std::string method;
  std::string path;
  // Captures of the route's pattern, e.g. the label name of /api/v1/label/<name>/values.
  std::vector<std::string> path_params;
  Form form;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string remote_addr;

  std::string Header(std::string_view name) const;  // case-insensitive, "" when absent
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using Handler = std::function<void(const Request&, Response*)>;

}  // namespace meridian::web
