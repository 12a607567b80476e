#include "corpus_reader.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace meridian::promql::testing {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// Skips `n` whitespace-separated words and returns the rest.
std::string AfterWords(const std::string& s, int n) {
  size_t i = 0;
  for (int w = 0; w < n; ++w) {
    while (i < s.size() && s[i] == ' ') ++i;
    while (i < s.size() && s[i] != ' ') ++i;
  }
  return Trim(s.substr(std::min(i, s.size())));
}

}  // namespace

std::string CorpusDir() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("MERIDIAN_PROMQL_TESTDATA"); env && fs::is_directory(env)) {
    return env;
  }
#ifdef MERIDIAN_PROMQL_TESTDATA
  if (fs::is_directory(MERIDIAN_PROMQL_TESTDATA)) return MERIDIAN_PROMQL_TESTDATA;
#endif
  return "";
}

std::vector<CorpusEval> ReadCorpus(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".test") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<CorpusEval> out;
  for (const auto& path : files) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::string& l = lines[i];
      if (l.rfind("eval", 0) != 0) continue;
      CorpusEval ev;
      ev.file = path.filename().string();
      ev.line = static_cast<int>(i + 1);
      std::string head = l.substr(0, l.find(' '));
      ev.expect_fail = head == "eval_fail";
      // `eval[_x] instant at T EXPR` or `eval[_x] range from T0 to T1 step S EXPR`.
      std::string mode = AfterWords(l, 1);
      if (mode.rfind("instant", 0) == 0) {
        ev.expr = AfterWords(l, 4);
      } else {
        ev.expr = AfterWords(l, 8);
      }
      // Directives follow directly, indented.
      for (size_t j = i + 1; j < lines.size(); ++j) {
        std::string t = Trim(lines[j]);
        if (t.rfind("expect fail", 0) == 0) {
          ev.expect_fail = true;
          size_t colon = t.find(':');
          if (colon != std::string::npos) ev.fail_message = Trim(t.substr(colon + 1));
          continue;
        }
        if (t.rfind("expect", 0) == 0) continue;
        break;
      }
      out.push_back(std::move(ev));
    }
  }
  return out;
}

}  // namespace meridian::promql::testing
