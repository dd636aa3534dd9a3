/** How often the dashboard polls the api: every 10 s unless told otherwise. */
export const REFRESH_INTERVAL_MS = 10_000;

/** Bounds for an override: faster than 250 ms would hammer the api, slower than an hour is not "live". */
export const REFRESH_MIN_MS = 250;
export const REFRESH_MAX_MS = 3_600_000;

/** A positive whole number of milliseconds within bounds, or null when the text is not one. */
function parseMs(text: string | null | undefined): number | null {
  if (text === null || text === undefined || !/^\d+$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return n >= REFRESH_MIN_MS && n <= REFRESH_MAX_MS ? n : null;
}

/**
 * The refresh interval: the URL parameter `refresh` (ms) wins, then the build-time VITE_REFRESH_MS,
 * then REFRESH_INTERVAL_MS. Values that are not a whole number of ms in bounds are ignored.
 */
export function resolveRefreshInterval(search: string, envValue: string | undefined): number {
  return parseMs(new URLSearchParams(search).get("refresh")) ?? parseMs(envValue) ?? REFRESH_INTERVAL_MS;
}
