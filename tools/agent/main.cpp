// agent: not yet implemented; its issue replaces this file. Exits 2 so scripts never mistake it for success.
#include <cstdio>

int main() {
  std::fputs("agent: not yet implemented in this build of payops\n", stderr);
  return 2;
}
