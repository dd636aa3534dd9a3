import type { SummaryWindow } from "@bridge/shared";

export const WINDOW_LABELS: Record<SummaryWindow, string> = { "15m": "15 min", "1h": "1 h", "24h": "24 h" };

/** Native radio buttons: arrow keys move between them, Tab enters and leaves the group. */
export function WindowPicker({ value, onChange }: { value: SummaryWindow; onChange(w: SummaryWindow): void }) {
  return (
    <fieldset className="window-picker">
      <legend>Window</legend>
      {(Object.keys(WINDOW_LABELS) as SummaryWindow[]).map((w) => (
        <label key={w} className={w === value ? "selected" : undefined}>
          <input type="radio" name="summary-window" value={w} checked={w === value} onChange={() => onChange(w)} />
          Last {WINDOW_LABELS[w]}
        </label>
      ))}
    </fieldset>
  );
}
