-- Print what the benchmark reads: p50 and p95 latency (ms), requests a second, errors.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("BENCH p50=%.3f p95=%.3f rps=%.1f requests=%d errors=%d\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, summary.requests / seconds, summary.requests, errors))
end
