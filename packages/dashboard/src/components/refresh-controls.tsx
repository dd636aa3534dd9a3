import { formatDuration } from "../lib/format.js";

export interface RefreshControlsProps {
  refreshMs: number;
  paused: boolean;
  fetching: boolean;
  /** When the data on screen was fetched (null: not yet). */
  updatedAt: number | null;
  now: number;
  onTogglePause(): void;
  onRefresh(): void;
}

export function RefreshControls({ refreshMs, paused, fetching, updatedAt, now, onTogglePause, onRefresh }: RefreshControlsProps) {
  const ago = updatedAt === null ? null : Math.max(0, Math.floor((now - updatedAt) / 1000));
  return (
    <div className="refresh-controls">
      <p className="updated" data-testid="updated">
        {ago === null ? "Not updated yet" : `Updated ${ago} s ago`}
        <span className="muted">{paused ? " · auto-refresh paused" : ` · every ${formatDuration(refreshMs)}`}</span>
        {fetching ? <span className="muted"> · refreshing…</span> : null}
      </p>
      <button type="button" onClick={onTogglePause} aria-pressed={paused}>
        {paused ? "Resume auto-refresh" : "Pause auto-refresh"}
      </button>
      <button type="button" onClick={onRefresh}>
        Refresh now
      </button>
    </div>
  );
}
