import { type ReactNode, useEffect, useRef, useState } from "react";

/**
 * A box (a labelled <section>, so a region) that scrolls its table sideways when the table is wider than it. It is a labelled region with
 * tabIndex 0, so keyboard users can focus it and scroll with the arrow keys; while its content overflows,
 * a visible hint says there is more to the side.
 */
export function ScrollRegion({ label, children }: { label: string; children: ReactNode }) {
  const ref = useRef<HTMLElement>(null);
  const [overflowing, setOverflowing] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const measure = () => setOverflowing(el.scrollWidth > el.clientWidth + 1);
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    // the table grows with its rows without the box changing size: watch the content too
    if (el.firstElementChild) observer.observe(el.firstElementChild);
    measure();
    return () => observer.disconnect();
  }, []);
  return (
    <>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable to scroll it with the keyboard */}
      <section ref={ref} className="table-scroll" aria-label={label} tabIndex={0} data-overflowing={overflowing || undefined}>
        {children}
      </section>
      {overflowing ? (
        <p className="scroll-hint muted" aria-hidden="true">
          More columns to the right: scroll sideways, or focus the table and use the arrow keys →
        </p>
      ) : null}
    </>
  );
}
