import type { Generator } from "./generator.js";
import { padded, recentIso } from "./generator.js";

/** ISO 4217 codes with their minor-unit exponent (JPY has none: 1500 means ¥1500). */
const CURRENCIES = [
  ["EUR", 2, 5],
  ["USD", 2, 4],
  ["GBP", 2, 2],
  ["CHF", 2, 1],
  ["JPY", 0, 1],
] as const;

/** Category, direction, a typical amount range in major units, merchants, and how common it is. */
const CATEGORIES = [
  { category: "groceries", direction: "debit", range: [4, 180], merchants: ["FreshMart", "Corner Grocer", "BioMarkt"], weight: 8 },
  { category: "dining", direction: "debit", range: [6, 120], merchants: ["Trattoria Roma", "Noodle Bar", "Café Central"], weight: 6 },
  { category: "transport", direction: "debit", range: [2, 90], merchants: ["City Transit", "RideNow", "Rail Express"], weight: 5 },
  { category: "subscriptions", direction: "debit", range: [5, 30], merchants: ["StreamFlix", "CloudDrive", "NewsDaily"], weight: 3 },
  { category: "utilities", direction: "debit", range: [30, 250], merchants: ["PowerGrid Co", "AquaWorks", "FiberNet"], weight: 2 },
  { category: "tuition", direction: "debit", range: [150, 2500], merchants: ["Open Academy", "Language Institute"], weight: 1 },
  { category: "rent", direction: "debit", range: [600, 2400], merchants: ["Parkside Lettings", "Urban Homes"], weight: 1 },
  { category: "salary", direction: "credit", range: [1800, 6500], merchants: ["Acme Corp Payroll", "Globex Payroll"], weight: 1 },
  { category: "refund", direction: "credit", range: [5, 200], merchants: ["FreshMart", "RideNow", "StreamFlix"], weight: 1 },
] as const;

const ACCOUNTS = 40;

/** A card or bank transaction on one of 40 accounts. Amounts are integers in minor units, never floats. */
export const financeGenerator: Generator = (rng, { now }) => {
  const [currency, exponent] = rng.weighted(CURRENCIES.map(([code, exp, w]) => [[code, exp] as const, w] as const));
  const kind = rng.weighted(CATEGORIES.map((c) => [c, c.weight] as const));
  const [low, high] = kind.range;
  // JPY amounts are about 150 times the EUR figure for the same purchase.
  const scale = currency === "JPY" ? 150 : 1;
  const major = rng.float(low * scale, high * scale, exponent);
  const amountMinor = Math.round(major * 10 ** exponent);
  const status = rng.weighted([
    ["booked", 90],
    ["pending", 8],
    ["declined", 2],
  ] as const);
  return {
    transaction_id: `txn_${rng.id(14)}`,
    account_id: `acct-${padded(rng.int(1, ACCOUNTS), 5)}`,
    direction: kind.direction,
    amount_minor: amountMinor,
    currency,
    currency_exponent: exponent,
    category: kind.category,
    merchant: rng.pick(kind.merchants),
    status,
    channel: rng.pick(["card", "transfer", "direct_debit", "mobile"] as const),
    booked_at: recentIso(rng, now, 300),
  };
};
