import type { ErrorCode, ProblemDetails } from "@bridge/shared";

/**
 * What went wrong with a request, as the screen needs to know it:
 * - unreachable: no answer (network error, or a proxy/gateway error without a problem body); retry by itself
 * - unauthenticated: 401, the read endpoints need a (valid) read key
 * - forbidden: 403, the key may not read
 * - problem: any other problem-details answer from the bridge (e.g. 400 invalid_query, 503 storage_unavailable)
 * - invalid_response: a 2xx whose body does not match the shared schema (dashboard and api out of step)
 */
export type ApiErrorKind = "unreachable" | "unauthenticated" | "forbidden" | "problem" | "invalid_response";

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status: number | null = null,
    readonly problem: ProblemDetails | null = null,
  ) {
    super(message);
  }

  get code(): ErrorCode | null {
    return this.problem?.code ?? null;
  }

  /** Worth one quick retry before the screen says so: no answer, or the bridge says "later". */
  get retryable(): boolean {
    return this.kind === "unreachable" || this.status === 503 || this.status === 429;
  }
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;
