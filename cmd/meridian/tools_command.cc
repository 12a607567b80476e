// `meridian tools`: operator utilities (demo data, bucket inspection).

#include <memory>

#include "cmd/meridian/commands.h"
#include "cmd/meridian/flags.h"

namespace meridian::cli {

namespace {
struct GenDemoFlags {
  LogFlags log;
  ObjstoreFlags objstore;
};
}  // namespace

void AddToolsCommand(CLI::App& app, int* exit_code) {
  CLI::App* tools = app.add_subcommand("tools", "Utilities for operating Meridian.");
  tools->require_subcommand(1);

  auto gen = std::make_shared<GenDemoFlags>();
  CLI::App* gen_demo = tools->add_subcommand(
      "gen-demo", "Writes a realistic demo data set of TSDB blocks into a bucket.");
  AddLogFlags(*gen_demo, gen->log);
  AddObjstoreFlags(*gen_demo, gen->objstore);
  gen_demo->callback([gen, exit_code] {
    *exit_code = NotImplementedYet("tools gen-demo", "issue 4: block writer and demo data");
  });
}

}  // namespace meridian::cli
