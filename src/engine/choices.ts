/** Dataverse choice values of docs/data-model.md, one place for every part (control, plugin, solution, sandbox). */

export const TIER_OPTIONS = { AAA: 100000000, A: 100000001, B: 100000002, C: 100000003 } as const;
export type TierCode = keyof typeof TIER_OPTIONS;

export const TREND_OPTIONS = {
  growing: 100000000,
  stable: 100000001,
  declining: 100000002,
  insufficient: 100000003,
} as const;
export type Trend = keyof typeof TREND_OPTIONS;

export const CHANNEL_OPTIONS = { meeting: 100000000, call: 100000001, email: 100000002 } as const;
export type Channel = keyof typeof CHANNEL_OPTIONS;

/** Choice `ct_tierchangesource` of `ct_tierhistory`: what moved the tier. */
export const TIER_CHANGE_SOURCE_OPTIONS = { rerank: 100000000, save: 100000001, override: 100000002 } as const;
export type TierChangeSource = keyof typeof TIER_CHANGE_SOURCE_OPTIONS;

/** Activity tables that count as a touch, and the channel each one is. */
export const ACTIVITY_CHANNELS = {
  appointment: "meeting",
  phonecall: "call",
  email: "email",
} as const satisfies Record<string, Channel>;

function invert<K extends string>(map: Record<K, number>): Map<number, K> {
  return new Map(Object.entries(map).map(([k, v]) => [v as number, k as K]));
}
const tierByValue = invert(TIER_OPTIONS);
const trendByValue = invert(TREND_OPTIONS);
const channelByValue = invert(CHANNEL_OPTIONS);

export const tierFromOption = (value: number | null | undefined): TierCode | undefined =>
  value == null ? undefined : tierByValue.get(value);
export const trendFromOption = (value: number | null | undefined): Trend | undefined =>
  value == null ? undefined : trendByValue.get(value);
export const channelFromOption = (value: number | null | undefined): Channel | undefined =>
  value == null ? undefined : channelByValue.get(value);

/** Dataverse `statecode` values the engine reads (docs/data-model.md). */
export const STATE = {
  account: { active: 0, inactive: 1 },
  invoice: { active: 0, closed: 1, paid: 2, canceled: 3 },
  opportunity: { open: 0, won: 1, lost: 2 },
  activity: { open: 0, completed: 1, canceled: 2, scheduled: 3 },
} as const;
