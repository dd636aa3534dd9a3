import { ApiError } from "../api/api-error.js";

/** The few facts of a query result this needs (a subset of React Query's UseQueryResult). */
export interface QueryFacts {
  data: unknown;
  error: unknown;
  dataUpdatedAt: number;
  errorUpdatedAt: number;
  isFetching: boolean;
}

export type Connection =
  | { kind: "loading" }
  | { kind: "ok"; updatedAt: number }
  /** 401/403: show the read-key form; `errorAt` is when the latest refusal came. */
  | { kind: "needs_key"; forbidden: boolean; message: string; errorAt: number }
  /** No answer: keep the last data; `lastDataAt` is when it was fetched (null: never had any). */
  | { kind: "unreachable"; lastDataAt: number | null; message: string }
  | { kind: "error"; message: string; lastDataAt: number | null };

const oldest = (xs: number[]): number | null => (xs.length > 0 ? Math.min(...xs) : null);

/**
 * One state for the whole screen from the dashboard's queries, the most actionable first:
 * a key problem, then an outage, then any other error, then loading, else ok. `updatedAt` is the
 * oldest fetch among the queries, so "updated N s ago" never claims more freshness than is shown.
 */
export function deriveConnection(queries: readonly QueryFacts[]): Connection {
  const withData = queries.filter((q) => q.data !== undefined && q.dataUpdatedAt > 0);
  const lastDataAt = oldest(withData.map((q) => q.dataUpdatedAt));
  // an error counts only while it is newer than the query's data (a later success clears it)
  const failing = queries.filter((q) => q.error !== null && q.error !== undefined && q.errorUpdatedAt >= q.dataUpdatedAt);
  const errors = failing.map((q) => q.error);

  const isKeyError = (e: unknown): e is ApiError => e instanceof ApiError && (e.kind === "unauthenticated" || e.kind === "forbidden");
  const refused = failing.filter((q) => isKeyError(q.error));
  const keyError = refused[0]?.error;
  if (isKeyError(keyError)) {
    const errorAt = Math.max(...refused.map((q) => q.errorUpdatedAt));
    return { kind: "needs_key", forbidden: keyError.kind === "forbidden", message: keyError.message, errorAt };
  }

  const down = failing.filter((q) => q.error instanceof ApiError && q.error.kind === "unreachable");
  if (down.length > 0) {
    const first = down[0]?.error as ApiError;
    return { kind: "unreachable", lastDataAt, message: first.message };
  }

  const other = errors[0];
  if (other !== undefined) {
    return { kind: "error", message: other instanceof Error ? other.message : String(other), lastDataAt };
  }
  if (withData.length < queries.length) return { kind: "loading" };
  return { kind: "ok", updatedAt: lastDataAt ?? 0 };
}
