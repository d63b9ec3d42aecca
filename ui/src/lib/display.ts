// Small presentation helpers shared by the lists and the form.

/** The first character of a name, for the coloured initial beside it. */
export function initial(name: string): string {
  // Direction marks, zero-width joiners and control characters show nothing: skip them.
  const first = Array.from(name.trim()).find((c) => !/[\p{Cc}\p{Cf}]/u.test(c));
  return first ? first.toLocaleUpperCase() : '?';
}

/** One of eight colour classes, stable for a customer. */
export function toneClass(id: number): string {
  return `tone-${Math.abs(id) % 8}`;
}
