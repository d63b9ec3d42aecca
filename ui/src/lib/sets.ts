// Closed sets of values kept as maps from each value to what goes with it, typed against the
// generated unions so that a missing or unknown value is a type error.

/** The values of a map, in its order. */
export const keysOf = <T extends string>(map: Record<T, unknown>): readonly T[] => Object.keys(map) as T[];

/** A function for each variant of a union tagged by `Tag`, given that variant. */
export type ByVariant<U, Tag extends keyof U, Args extends unknown[], R> = {
  [C in U[Tag] & string]: (variant: Extract<U, Record<Tag, C>>, ...args: Args) => R;
};

/** Calls the function of `variant`; the lookup loses which variant goes with which entry, hence the cast. */
export function forVariant<U, Tag extends keyof U, Args extends unknown[], R>(
  map: ByVariant<U, Tag, Args, R>,
  tag: Tag,
  variant: U,
  ...args: Args
): R {
  const run = map[variant[tag] as U[Tag] & string] as (variant: U, ...args: Args) => R;
  return run(variant, ...args);
}
