// The smallest program there is, linked statically: bench_overhead's posix_spawn floor (the cost
// of creating, exec'ing and reaping a process that does nothing).
int main() { return 0; }
