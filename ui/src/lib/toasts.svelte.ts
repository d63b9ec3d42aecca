// Short-lived notices at the bottom of the window, optionally with one action (Undo).
// Texts are functions so that a language switch re-translates toasts already on screen.
import type { ApiError } from './api';
import { errorText } from './errors';

export type ToastAction = { label: () => string; run: () => void | Promise<void> };
export type Toast = { id: number; text: () => string; tone: 'info' | 'error'; action?: ToastAction };

const LIFETIME_MS = 8000;

let nextId = 1;
let items = $state<Toast[]>([]);
const timers = new Map<number, ReturnType<typeof setTimeout>>();

export const toasts = {
  get items(): Toast[] {
    return items;
  },
};

export function dismissToast(id: number): void {
  clearTimeout(timers.get(id));
  timers.delete(id);
  items = items.filter((x) => x.id !== id);
}

export function showToast(text: () => string, options: { tone?: Toast['tone']; action?: ToastAction } = {}): number {
  const id = nextId++;
  items = [...items.slice(-2), { id, text, tone: options.tone ?? 'info', action: options.action }];
  timers.set(
    id,
    setTimeout(() => dismissToast(id), options.tone === 'error' ? LIFETIME_MS * 2 : LIFETIME_MS),
  );
  return id;
}

/** Says what went wrong, for failures that leave nothing on screen to show them (a toast outlives a reload). */
export function showError(error: ApiError): number {
  return showToast(() => errorText(error), { tone: 'error' });
}
