import { QueryClient } from "@tanstack/react-query";
import { isApiError } from "./api-error.js";

/**
 * Retry once, after 1 s, only what may pass by itself (no answer, 503, 429); the poll interval is the
 * retry after that. React Query's default (3 retries, 1+2+4 s) would hide an outage for 7 s and
 * retry a 401 that will not change until a key is entered.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failureCount, error) => failureCount < 1 && isApiError(error) && error.retryable,
        retryDelay: 1000,
        refetchOnWindowFocus: true,
        staleTime: 0,
      },
    },
  });
}
