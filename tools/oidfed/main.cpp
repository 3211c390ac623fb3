#include <cstdio>
int main() { std::puts("oidfed"); return 0; }
