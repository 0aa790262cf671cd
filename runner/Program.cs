using System.CommandLine;
using Metrics.Runner;

return await MetricsCli.InvokeAsync(args, new InvocationConfiguration(), Environment.GetEnvironmentVariable);
