# Every third-party dependency comes from Debian packages (scripts/install-deps.sh).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
# Abseil (gRPC's own dependency): flat hash maps for the store-gateway's caches.
find_package(absl CONFIG REQUIRED)
find_program(GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)

find_package(antlr4-runtime CONFIG REQUIRED)
find_program(ANTLR4_TOOL antlr4 REQUIRED)  # Debian's 4.7.2 tool; its output runs on the 4.9 runtime

find_package(GTest CONFIG REQUIRED)
include(GoogleTest)
find_package(benchmark CONFIG REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(RapidJSON CONFIG REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(roaring CONFIG REQUIRED)
find_package(Snappy CONFIG REQUIRED)
find_package(zstd CONFIG REQUIRED)

pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
# Debian's cpp-httplib is a compiled library: its pkg-config file carries the defines that
# must match how it was built (OpenSSL, zlib, brotli support).
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(UUID REQUIRED IMPORTED_TARGET uuid)
find_package(OpenSSL REQUIRED)
