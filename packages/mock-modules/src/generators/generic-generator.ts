import type { Generator } from "./generator.js";
import { padded, recentIso } from "./generator.js";

const ENTITIES = ["record", "order", "ticket", "member", "device", "shipment", "booking"] as const;
const ACTIONS = [
  ["updated", 5],
  ["created", 3],
  ["status_changed", 2],
  ["deleted", 1],
] as const;
const STATUSES = ["open", "active", "in_progress", "on_hold", "closed"] as const;
const REGIONS = ["eu-west", "eu-central", "us-east", "ap-south"] as const;

/** For any module without its own generator: a change to one entity, shaped like most CRUD feeds. */
export const genericGenerator: Generator = (rng, { now, sequence }) => {
  const entity = rng.pick(ENTITIES);
  return {
    record_id: `${entity}-${rng.id(10)}`,
    entity,
    action: rng.weighted(ACTIONS),
    revision: sequence,
    actor_id: `user-${padded(rng.int(1, 50), 3)}`,
    status: rng.pick(STATUSES),
    value: rng.float(0, 1000, 2),
    quantity: rng.int(1, 20),
    attributes: { region: rng.pick(REGIONS), priority: rng.pick(["low", "normal", "high"] as const) },
    occurred_at: recentIso(rng, now, 60),
  };
};
