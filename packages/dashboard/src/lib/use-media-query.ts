import { useSyncExternalStore } from "react";

/**
 * Below this width the tables switch to their narrow layout (events as a list, fewer module columns).
 * 760 px: the full events table needs about 720 px of content (8 columns), plus the panel's and the page's padding.
 */
export const NARROW_QUERY = "(max-width: 760px)";

/** Whether a CSS media query matches, kept current on resize. False where there is no matchMedia (jsdom). */
export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (onChange) => {
      if (typeof window.matchMedia !== "function") return () => {};
      const list = window.matchMedia(query);
      list.addEventListener("change", onChange);
      return () => list.removeEventListener("change", onChange);
    },
    () => typeof window.matchMedia === "function" && window.matchMedia(query).matches,
    () => false,
  );
}

export const useNarrow = () => useMediaQuery(NARROW_QUERY);
