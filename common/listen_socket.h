#pragma once
// Socket options for Meridian's HTTP listeners. cpp-httplib (like gRPC) sets SO_REUSEPORT by
// default, under which a second process binding a taken port silently shares its
// connections; a Go (Prometheus, Thanos) listener refuses the port instead, and so do we.

#include <sys/socket.h>

namespace meridian {

inline void ExclusiveListenSocket(int fd) {
  int yes = 1;
  // SO_REUSEADDR only lets a restarted server bind while old connections sit in TIME_WAIT.
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

}  // namespace meridian
