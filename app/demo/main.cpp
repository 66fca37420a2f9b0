// veltrix-demo: NOT BUILT YET. The embedded demo (mock Kafka + private RabbitMQ node +
// workload) is issue #3; until then this says so and fails, so nothing mistakes it
// for the real thing.
#include <cstdio>

int main()
{
    std::fprintf(stderr,
                 "veltrix-demo: the demo environment is not built yet (issue #3).\n"
                 "Connect the console to your own clusters with --profiles FILE.\n");
    return 3;
}
