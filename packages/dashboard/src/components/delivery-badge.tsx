import type { DeliveryStatus } from "@bridge/shared";

/** Each status has a symbol and a word, so it reads without colour. */
export const DELIVERY_LABELS: Record<DeliveryStatus, { symbol: string; label: string }> = {
  pending: { symbol: "…", label: "pending" },
  retrying: { symbol: "↻", label: "retrying" },
  delivered: { symbol: "✓", label: "delivered" },
  dead: { symbol: "✕", label: "dead-lettered" },
};

export function DeliveryBadge({ status }: { status: DeliveryStatus }) {
  const { symbol, label } = DELIVERY_LABELS[status];
  return (
    <span className={`badge badge-${status}`}>
      <span aria-hidden="true">{symbol}</span> {label}
    </span>
  );
}
