// Preloaded into the measured server (`node --import <this> …`) so the
// event-loop delay is measured where it happens, without touching src/.
// Compiled with the server, so a compiled run loads no tsx.
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** The histogram's timer interval; every sample includes it, so it is subtracted when reported. */
const RESOLUTION_MS = 10;
const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
histogram.enable();

const delay = (nanoseconds: number) => Math.max(0, nanoseconds / 1e6 - RESOLUTION_MS);

process.on('message', (message: unknown) => {
  if (message === 'eld:reset') {
    histogram.reset();
    process.send?.({ eld: 'reset' });
  } else if (message === 'eld:read') {
    process.send?.({ eld: { p99: delay(histogram.percentile(99)), max: delay(histogram.max) } });
  }
});
// Listening must not keep the process alive: the server decides when it exits.
process.channel?.unref();
