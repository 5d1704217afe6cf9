// imps: argv → configuration → the chosen mode on one event loop → exit status.
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--version") == 0) {
      std::printf("imps %s\n", IMPS_VERSION);
      return 0;
    }
  }
  std::fprintf(stderr, "imps: not implemented yet\n");
  return 1;
}
