// Small presentation helpers shared by the lists and the form.

/** The first character of a name, for the coloured initial beside it. */
export function initial(name: string): string {
  const first = Array.from(name.trim())[0];
  return first ? first.toLocaleUpperCase() : '?';
}

/** One of eight colour classes, stable for a customer. */
export function toneClass(id: number): string {
  return `tone-${Math.abs(id) % 8}`;
}
