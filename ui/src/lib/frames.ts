/**
 * Runs `work` once the frame now being prepared has been drawn: for reads the user is not
 * looking at yet, so that they do not compete with drawing what the user is looking at.
 */
export function afterNextFrame(work: () => void): void {
  requestAnimationFrame(() => setTimeout(work, 0));
}
