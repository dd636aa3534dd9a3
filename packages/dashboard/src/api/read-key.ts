/**
 * The read key for read endpoints (when the api sets BRIDGE_READ_KEYS). Two sources: one the user
 * enters, kept in sessionStorage (gone when the tab closes, never in localStorage), and one baked in
 * at build time through VITE_BRIDGE_READ_KEY. The entered key wins, so a wrong built-in key can be
 * overridden without a rebuild.
 */
export const READ_KEY_STORAGE_KEY = "bridge.readKey";

function storage(): Storage | null {
  try {
    return typeof sessionStorage === "undefined" ? null : sessionStorage;
  } catch {
    // storage access can throw (disabled cookies, sandboxed frames): run without it
    return null;
  }
}

export function storedReadKey(): string | null {
  const v = storage()?.getItem(READ_KEY_STORAGE_KEY);
  return v && v.trim() !== "" ? v.trim() : null;
}

export function storeReadKey(key: string): void {
  const k = key.trim();
  if (k === "") storage()?.removeItem(READ_KEY_STORAGE_KEY);
  else storage()?.setItem(READ_KEY_STORAGE_KEY, k);
}

export function forgetReadKey(): void {
  storage()?.removeItem(READ_KEY_STORAGE_KEY);
}

export function builtInReadKey(): string | null {
  const v = import.meta.env.VITE_BRIDGE_READ_KEY;
  return typeof v === "string" && v.trim() !== "" ? v.trim() : null;
}

/** The key to send: the entered one, else the built-in one, else none. */
export function currentReadKey(): string | null {
  return storedReadKey() ?? builtInReadKey();
}
