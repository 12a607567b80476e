// A sidecar as its own process, for measuring its memory from the integration test:
//   sidecar_probe <prometheus url> <grpc address>
// Runs storeapi::sidecar::Sidecar (what `meridian sidecar` runs) until SIGTERM.

#include <signal.h>

#include <cstdio>

#include "storeapi/sidecar/sidecar.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <prometheus url> <grpc address>\n", argv[0]);
    return 2;
  }
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  meridian::storeapi::sidecar::SidecarOptions o;
  o.prometheus_url = argv[1];
  o.grpc_address = argv[2];
  o.http_address = "";
  auto s = meridian::storeapi::sidecar::Sidecar::Start(o);
  if (!s.ok()) {
    std::fprintf(stderr, "sidecar_probe: %s\n", s.status().message().c_str());
    return 1;
  }
  int sig = 0;
  sigwait(&sigs, &sig);
  (*s)->Stop();
  return 0;
}
