import { type DeliveryStatus, EventsPage, InsightEventDetail, StatusResponse, SummaryResponse, type SummaryWindow } from "@bridge/shared";
import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import type { ApiClient } from "./api-client.js";

/** Page size of the events table: small enough to read, and never thousands of rows in the page. */
export const EVENTS_PAGE_SIZE = 20;

export interface EventsFilter {
  module?: string | undefined;
  status?: DeliveryStatus | undefined;
  /** Keyset cursor of the page (undefined: the newest page). */
  cursor?: string | undefined;
  limit?: number | undefined;
}

/** Typed query keys, all under one root so a manual refresh or a new read key can reach every query. */
export const bridgeKeys = {
  all: ["bridge"] as const,
  status: () => [...bridgeKeys.all, "status"] as const,
  summary: (window: SummaryWindow) => [...bridgeKeys.all, "summary", window] as const,
  events: (filter: EventsFilter) =>
    [
      ...bridgeKeys.all,
      "events",
      {
        module: filter.module ?? null,
        status: filter.status ?? null,
        cursor: filter.cursor ?? null,
        limit: filter.limit ?? EVENTS_PAGE_SIZE,
      },
    ] as const,
  event: (id: string) => [...bridgeKeys.all, "event", id] as const,
};

/** Shared by every query: numbers stay on screen while a refetch (or a new key) is in flight. */
const common = { placeholderData: keepPreviousData } as const;

export const statusQuery = (client: ApiClient) =>
  queryOptions({
    ...common,
    queryKey: bridgeKeys.status(),
    queryFn: ({ signal }) => client.get("/bucket/status", StatusResponse, { signal }),
  });

export const summaryQuery = (client: ApiClient, window: SummaryWindow) =>
  queryOptions({
    ...common,
    queryKey: bridgeKeys.summary(window),
    queryFn: ({ signal }) => client.get("/insight/summary", SummaryResponse, { signal, params: { window } }),
  });

export const eventsQuery = (client: ApiClient, filter: EventsFilter) =>
  queryOptions({
    ...common,
    queryKey: bridgeKeys.events(filter),
    queryFn: ({ signal }) =>
      client.get("/insight/events", EventsPage, {
        signal,
        params: { module: filter.module, status: filter.status, cursor: filter.cursor, limit: filter.limit ?? EVENTS_PAGE_SIZE },
      }),
  });

export const eventDetailQuery = (client: ApiClient, id: string) =>
  queryOptions({
    queryKey: bridgeKeys.event(id),
    queryFn: ({ signal }) => client.get(`/insight/events/${encodeURIComponent(id)}`, InsightEventDetail, { signal }),
    // one event's data and attempts change only while it is being delivered: poll with the rest
  });
